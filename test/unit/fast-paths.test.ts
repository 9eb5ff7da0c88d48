import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/core/config/load-config.js';
import { FastPaths } from '../../src/core/http/fast-paths.js';
import { requestIdOf } from '../../src/core/http/request-id.js';

const config = loadConfig({ SECRET_KEY: 'x'.repeat(40) });

describe('FastPaths (requests answered ahead of Express)', () => {
  const fastPaths = new FastPaths(config);
  const server = createServer((_req, res) => res.end('express'));
  let url = '';
  /** What the second path was asked. */
  const askedSecond: string[] = [];

  before(async () => {
    // The first path takes /first; the second hands /handed-on to Express unwritten; nothing takes the rest.
    fastPaths.register((req, res) => {
      if (req.url !== '/first') return false;
      fastPaths.setAnswerHeaders(req, res);
      res.end('first');
      return true;
    });
    fastPaths.register((req, _res, next) => {
      askedSecond.push(req.url ?? '');
      if (req.url !== '/handed-on') return false;
      setImmediate(next);
      return true;
    });
    fastPaths.mount(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('tries the registered paths in turn; the first that takes a request answers it', async () => {
    assert.equal(await (await fetch(`${url}/first`)).text(), 'first');
    assert.ok(!askedSecond.includes('/first'));
  });

  it('gives Express what no path takes, and what a path hands on with next', async () => {
    assert.equal(await (await fetch(`${url}/other`)).text(), 'express');
    assert.equal(await (await fetch(`${url}/handed-on`)).text(), 'express');
  });

  it("answers with Express's security headers and a request id", async () => {
    const res = await fetch(`${url}/first`, { headers: { 'x-request-id': 'proxy-id.42' } });
    assert.equal(res.headers.get('x-request-id'), 'proxy-id.42');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    const hostile = await fetch(`${url}/first`, { headers: { 'x-request-id': 'a b<script>' } });
    assert.match(hostile.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });

  it('takes paths registered after it was mounted (modules register at init, after the app is configured)', async () => {
    fastPaths.register((req, res) => {
      if (req.url !== '/late') return false;
      res.end('late');
      return true;
    });
    assert.equal(await (await fetch(`${url}/late`)).text(), 'late');
  });
});

describe('requestIdOf', () => {
  const withId = (id?: string | string[]) =>
    ({ headers: { 'x-request-id': id } }) as unknown as IncomingMessage;

  it("keeps a caller's plain token and replaces anything else with a fresh UUID", () => {
    assert.equal(requestIdOf(withId('abc-123_x.y')), 'abc-123_x.y');
    for (const bad of [undefined, '', 'x'.repeat(65), 'new\nline', ['a', 'b']]) {
      assert.match(requestIdOf(withId(bad)), /^[0-9a-f-]{36}$/, JSON.stringify(bad));
    }
    assert.notEqual(requestIdOf(withId()), requestIdOf(withId()));
  });
});
