import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { endMetered, pipeMetered } from '../../src/readvault/pages/metered-body.js';

/** More than the loopback socket buffers hold, so a client that reads nothing keeps the answer unfinished. */
const BIG = 32 * 1024 * 1024;

describe('metered bodies (page and CBZ bytes counted against a site)', () => {
  let server: Server;
  let port: number;
  let counted = 0;
  let opened = 0;
  let done: Promise<void> = Promise.resolve();

  before(async () => {
    server = createServer((req, res) => {
      const count = (bytes: number) => (counted += bytes);
      if (req.url === '/page') {
        res.setHeader('Content-Length', BIG);
        endMetered(req, res, Buffer.alloc(BIG), count);
        done = new Promise((resolve) => res.once('close', resolve));
        return;
      }
      res.setHeader('Content-Length', BIG);
      const open = () => {
        opened += 1;
        return Readable.from(
          (function* () {
            for (let sent = 0; sent < BIG; sent += 64 * 1024) yield Buffer.alloc(64 * 1024);
          })(),
        );
      };
      done = pipeMetered(req, res, open, count).catch(() => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Asks, then (unless `read`) goes away as soon as the headers are in. */
  const ask = (method: string, path: string, read: boolean) =>
    new Promise<{ length: number; received: number }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, method, agent: false }, (res) => {
        const length = Number(res.headers['content-length']);
        if (!read) {
          res.destroy();
          resolve({ length, received: 0 });
          return;
        }
        let received = 0;
        res.on('data', (chunk: Buffer) => (received += chunk.length));
        res.on('end', () => resolve({ length, received }));
      });
      req.on('error', reject);
      req.end();
    });

  for (const path of ['/page', '/cbz']) {
    it(`${path}: a HEAD has the length, costs nothing and opens nothing`, async () => {
      counted = 0;
      opened = 0;
      const head = await ask('HEAD', path, true);
      await done;
      assert.deepEqual([head.length, head.received, counted, opened], [BIG, 0, 0, 0]);
    });

    it(`${path}: a GET read to the end counts its bytes once`, async () => {
      counted = 0;
      const got = await ask('GET', path, true);
      await done;
      assert.equal(got.received, BIG);
      assert.equal(counted, BIG);
    });

    it(`${path}: a client gone after the headers is charged only what was handed on, not the whole`, async () => {
      counted = 0;
      await ask('GET', path, false);
      await done;
      await sleep(20);
      assert.ok(counted < BIG / 2, `counted ${counted} of ${BIG}`);
    });
  }
});
