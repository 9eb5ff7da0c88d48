import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { eventually } from './eventually.js';
import { type TestClient } from './http.js';

/** Serves files on 127.0.0.1 for ingest from a link (allow it with INGEST_ALLOW_HOSTS: `host`). */
export interface LinkServer {
  host: string;
  port: number;
  /** Serves `bytes` as `name` and returns its URL. */
  url(name: string, bytes: Buffer): string;
  close(): Promise<void>;
}

export async function startLinkServer(): Promise<LinkServer> {
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
  const host = `127.0.0.1:${port}`;
  return {
    host,
    port,
    url(name, bytes) {
      served.set(`/${encodeURIComponent(name)}`, bytes);
      return `http://${host}/${encodeURIComponent(name)}`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Submits a link for ingest as `client` and waits for the task to end (done or failed); returns the task. */
export async function ingestLink(
  client: TestClient,
  link: string,
  { timeoutMs = 90000, intervalMs = 200 } = {},
): Promise<Record<string, unknown>> {
  const submitted = await client.post('/api/ingest', { url: link });
  assert.equal(submitted.status, 202, JSON.stringify(submitted.body));
  return eventually(
    async () => (await client.get(`/api/ingest/${String(submitted.body.taskId)}`)).body,
    (task) => task.state === 'done' || task.state === 'failed',
    { timeoutMs, intervalMs, what: `task for ${link}` },
  );
}
