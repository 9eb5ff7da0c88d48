import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { eventually } from './eventually.js';
import { type TestClient } from './http.js';
import { makeZip } from './zip.js';

/** A tiny file server on 127.0.0.1 the app may download from (INGEST_ALLOW_HOSTS). */
export async function startFileServer(): Promise<{
  port: number;
  url: (name: string, bytes: Buffer) => string;
  close: () => Promise<void>;
}> {
  const served = new Map<string, Buffer>();
  const server: Server = createServer((req, res) => {
    const body = served.get(req.url ?? '');
    if (!body) return void res.writeHead(404).end();
    res
      .writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length })
      .end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (name, bytes) => {
      served.set(`/${encodeURIComponent(name)}`, bytes);
      return `http://127.0.0.1:${port}/${encodeURIComponent(name)}`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Submits a link as `client` and waits for the task to end; returns the task as the API shows it. */
export async function ingestLink(client: TestClient, link: string): Promise<Record<string, unknown>> {
  const submitted = await client.post('/api/ingest', { url: link });
  assert.equal(submitted.status, 202, JSON.stringify(submitted.body));
  return eventually(
    async () => (await client.get(`/api/ingest/${String(submitted.body.taskId)}`)).body,
    (task) => task.state === 'done' || task.state === 'failed',
    { timeoutMs: 120000, intervalMs: 250, what: `task for ${link}` },
  );
}

export function zipOf(entries: { name: string; content: Buffer }[]): Buffer {
  return makeZip(entries);
}
