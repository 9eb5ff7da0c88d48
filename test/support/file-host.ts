import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';

/** A link source on 127.0.0.1 for ingest tests: `offer(name, bytes)` serves the bytes and gives the link. */
export interface FileHost {
  /** For `INGEST_ALLOW_HOSTS`. */
  readonly hostAndPort: string;
  offer(name: string, bytes: Buffer): string;
  close(): Promise<void>;
}

export async function startFileHost(): Promise<FileHost> {
  const served = new Map<string, Buffer>();
  const server = createServer((req, res) => {
    const body = served.get(req.url ?? '');
    if (!body) return void res.writeHead(404).end();
    res
      .writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length })
      .end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const hostAndPort = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    hostAndPort,
    offer(name, bytes) {
      const path = `/${encodeURIComponent(name)}`;
      served.set(path, bytes);
      return `http://${hostAndPort}${path}`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
