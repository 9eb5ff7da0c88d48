// Run by test/integration/aria2-namespace.test.ts inside `unshare -n`, where the namespace's loopback
// also carries two "public" addresses: a UDP tracker on 203.0.113.5:6969 and an http tracker on
// 198.51.100.7:8080. aria2 (as the engine starts it, INGEST_TORRENT_DIRECT from argv[2]) is given a
// magnet naming the UDP tracker in its first tier and the http one in its second; the run stops at the
// first UDP datagram or the first http announce, whichever comes first. Prints one JSON line.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:http';
import { Logger } from '@nestjs/common';
import { Aria2Engine } from '../../src/ingest/engines/aria2/aria2.engine.js';
import { GuardedProxy } from '../../src/ingest/source-policy/guarded-proxy.js';
import { parseSourceUrl } from '../../src/ingest/source-policy/source-url.js';
import { SsrfGuard } from '../../src/ingest/source-policy/ssrf-guard.js';
import { tempDir } from './media.js';

const UDP_TRACKER = { address: '203.0.113.5', port: 6969 };
const HTTP_TRACKER = { address: '198.51.100.7', port: 8080 };

async function main() {
  Logger.overrideLogger(false); // stdout carries only the JSON result
  const direct = (process.argv[2] ?? '').split(',');
  const stop = new AbortController();
  const seen = { udpDatagrams: 0, httpAnnounces: 0, first: '', proxyChecked: [] as string[] };

  const udp = createSocket('udp4');
  udp.on('message', () => {
    seen.udpDatagrams++;
    seen.first ||= 'udp';
    stop.abort(new Error('udp tracker reached'));
  });
  await new Promise<void>((resolve) => udp.bind(UDP_TRACKER.port, UDP_TRACKER.address, resolve));

  const http = createServer((req, res) => {
    if (req.url?.startsWith('/announce')) {
      seen.httpAnnounces++;
      seen.first ||= 'http';
      stop.abort(new Error('http tracker reached'));
    }
    res.writeHead(503).end();
  });
  await new Promise<void>((resolve) => http.listen(HTTP_TRACKER.port, HTTP_TRACKER.address, resolve));

  // The guard lets the test's tracker through (it is not really public) and records what it was asked.
  const guard = new SsrfGuard([{ host: HTTP_TRACKER.address, port: HTTP_TRACKER.port }]);
  const check = guard.check.bind(guard);
  guard.check = (url: URL) => {
    seen.proxyChecked.push(url.host);
    return check(url);
  };
  const proxy = new GuardedProxy(guard);
  const proxyUrl = proxy.start();
  const engine = new Aria2Engine(() => proxyUrl, {
    direct: { dht: direct.includes('dht'), lpd: direct.includes('lpd') },
  });
  const tracker = (uri: string) => `&tr=${encodeURIComponent(uri)}`;
  const magnet =
    `magnet:?xt=urn:btih:${'ab'.repeat(20)}&dn=nobody-seeds-this` +
    tracker(`udp://${UDP_TRACKER.address}:${UDP_TRACKER.port}/announce`) +
    tracker(`http://${HTTP_TRACKER.address}:${HTTP_TRACKER.port}/announce`);
  await engine
    .download({
      source: parseSourceUrl(magnet),
      dir: tempDir('sv-aria2-ns-'),
      signal: stop.signal,
      maxBytes: 1024 * 1024,
      onProgress: () => {},
    })
    .catch(() => undefined); // ends with the abort above
  udp.close();
  http.close();
  await proxy.stop();
  process.stdout.write(`${JSON.stringify(seen)}\n`);
}

void main().then(() => process.exit(0));
