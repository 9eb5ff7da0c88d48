// Run by test/e2e/ssrf-namespace.test.ts inside `unshare -n` (a network namespace with only loopback),
// so even a broken guard could not send a packet off the machine. Prints one JSON line of results.
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { request } from 'node:http';
import { Logger } from '@nestjs/common';
import { guardedGet } from '../../src/ingest/source-policy/guarded-http.js';
import { GuardedProxy } from '../../src/ingest/source-policy/guarded-proxy.js';
import { parseSourceUrl } from '../../src/ingest/source-policy/source-url.js';
import { type Resolver, SsrfGuard } from '../../src/ingest/source-policy/ssrf-guard.js';

async function main() {
  Logger.overrideLogger(false); // stdout carries only the JSON result
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    const targets: Record<string, string> = {
      '/to-private': 'http://10.0.0.1/secret',
      '/to-metadata': 'http://169.254.169.254/latest/meta-data/',
      '/to-loopback-name': 'http://evil.example/',
      '/to-file': 'file:///etc/passwd',
    };
    const target = targets[req.url ?? ''];
    if (target) res.writeHead(302, { location: target }).end();
    else res.writeHead(200, { 'content-type': 'text/plain' }).end('fixture');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const resolver: Resolver = async (host) => {
    if (host === 'evil.example') return [{ address: '127.0.0.1', family: 4 }];
    throw Object.assign(new Error('no DNS in this namespace'), { code: 'ENOTFOUND' });
  };
  const guard = new SsrfGuard([{ host: '127.0.0.1', port }], resolver);

  const attempt = async (raw: string) => {
    const before = hits;
    try {
      const source = parseSourceUrl(raw);
      if (source.kind !== 'http') return { raw, outcome: 'not-http' };
      const { response } = await guardedGet(source.url, { guard, timeoutMs: 3000 });
      response.resume();
      return { raw, outcome: `fetched ${response.statusCode}`, hits: hits - before };
    } catch (error) {
      const e = error as Error & { code?: string };
      return {
        raw,
        outcome: e.code === 'source_refused' ? 'refused' : `error ${e.code ?? e.message}`,
        reason: e.message,
        hits: hits - before,
      };
    }
  };

  const results = [];
  for (const raw of [
    `http://127.0.0.1:${port}/plain`,
    'http://127.0.0.1/',
    `http://[::1]:${port}/`,
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.1/',
    `http://2130706433:${port + 1}/`,
    'http://0177.0.0.1/',
    'http://0x7f.0.0.1/',
    `http://[::ffff:127.0.0.1]:${port}/`,
    `http://evil.example:${port}/`,
    `http://127.0.0.1:${port}/to-private`,
    `http://127.0.0.1:${port}/to-metadata`,
    `http://127.0.0.1:${port}/to-loopback-name`,
    `http://127.0.0.1:${port}/to-file`,
    'file:///etc/passwd',
    'ftp://127.0.0.1/',
    'gopher://127.0.0.1:70/',
  ]) {
    results.push(await attempt(raw));
  }
  // The same guard as a forward proxy, for tools that do their own networking (yt-dlp, aria2c).
  const proxy = new GuardedProxy(guard);
  const proxyUrl = new URL(await proxy.start());
  const viaProxy = (target: string) =>
    new Promise<{ raw: string; status: number; hits: number }>((resolve) => {
      const before = hits;
      const req = request({
        host: proxyUrl.hostname,
        port: proxyUrl.port,
        path: target,
        headers: { host: new URL(target).host },
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () =>
          resolve({ raw: `proxy GET ${target}`, status: res.statusCode ?? 0, hits: hits - before }),
        );
      });
      req.on('error', () => resolve({ raw: `proxy GET ${target}`, status: -1, hits: hits - before }));
      req.end();
    });
  const connectVia = (target: string) =>
    new Promise<{ raw: string; status: number; hits: number }>((resolve) => {
      const before = hits;
      const req = request({ host: proxyUrl.hostname, port: proxyUrl.port, method: 'CONNECT', path: target });
      req.on('connect', (res, socket) => {
        if (res.statusCode !== 200) {
          socket.destroy();
          resolve({ raw: `proxy CONNECT ${target}`, status: res.statusCode ?? 0, hits: hits - before });
          return;
        }
        socket.write(`GET /through-tunnel HTTP/1.1\r\nHost: ${target}\r\nConnection: close\r\n\r\n`);
        socket.once('data', () => {
          socket.destroy();
          resolve({ raw: `proxy CONNECT ${target}`, status: 200, hits: hits - before });
        });
      });
      req.on('error', () => resolve({ raw: `proxy CONNECT ${target}`, status: -1, hits: hits - before }));
      req.end();
    });
  const proxied = [
    await viaProxy(`http://127.0.0.1:${port}/plain`),
    await connectVia(`127.0.0.1:${port}`),
    await viaProxy('http://10.0.0.1/secret'),
    await viaProxy('http://169.254.169.254/latest/meta-data/'),
    await viaProxy(`http://evil.example:${port}/`),
    await connectVia('10.0.0.1:443'),
    await connectVia('[::1]:443'),
    await connectVia(`127.0.0.1:${port + 1}`),
  ];
  await proxy.stop();
  server.close();
  process.stdout.write(`${JSON.stringify({ port, results, proxied })}\n`);
}

void main();
