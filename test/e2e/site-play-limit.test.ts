import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PLAY_LIMIT } from '../../src/site/pages/player/play-limit.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { TestClient } from '../support/http.js';
import { type InProcessApp, signInAdmin } from '../support/in-process-app.js';
import { createMediaFile } from '../support/library-fixtures.js';
import { BROWSER_ACCEPT as BROWSER, startSiteApp } from '../support/site-app.js';

describe('opening the player (it signs a stream link) is rate-limited', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let fileId: string;

  before(async () => {
    db = await startTestDatabase();
    server = await startSiteApp({ MONGODB_URI: db.uri });
    fileId = String(await createMediaFile(server.app, 'Limit.Test.mp4'));
  });
  after(async () => {
    await server?.close();
    await db?.stop();
  });

  /** A new browser, from `address` (behind the app's trusted loopback proxy), with its guest cookie. */
  const guest = async (address: string) => {
    const client = new TestClient(server.url);
    await client.get('/offline', { 'x-forwarded-for': address });
    return client;
  };

  it('is 60 a minute per viewer; then 429 with Retry-After, as JSON for a client and a page for a browser', async () => {
    assert.deepEqual([PLAY_LIMIT.limit, PLAY_LIMIT.windowSeconds], [60, 60]);
    const from = { 'x-forwarded-for': '198.51.100.1' };
    const viewer = await guest(from['x-forwarded-for']);
    for (let i = 0; i < 60; i++) {
      assert.equal((await viewer.get(`/play/${fileId}`, { ...BROWSER, ...from })).status, 200, `play ${i}`);
    }
    const api = await viewer.get(`/play/${fileId}`, from);
    assert.equal(api.status, 429);
    assert.deepEqual(Object.keys(api.body).sort(), ['error', 'message']);
    assert.equal(api.body.error, 'too_many_requests');
    assert.ok(Number(api.headers.get('retry-after')) > 0);

    const page = await viewer.get(`/play/${fileId}`, { ...BROWSER, ...from });
    assert.equal(page.status, 429);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(String(page.body), /<h1 id="error-heading">Slow down a little<\/h1>/);
    assert.ok(Number(page.headers.get('retry-after')) > 0);
    assert.doesNotMatch(String(page.body), /\/stream\//, 'no signed link on the refusal');

    const roomId = String((await viewer.post('/api/party', { fileId }, from)).body.roomId);
    assert.equal(
      (await viewer.get(`/party/${roomId}`, { ...BROWSER, ...from })).status,
      429,
      "a watch party's page signs a link too: the same bucket",
    );

    const neighbour = await guest(from['x-forwarded-for']);
    assert.equal((await neighbour.get(`/play/${fileId}`, from)).status, 200, 'another viewer has its own');
  });

  it('counts the guests of one client address together (300 a minute), however many cookies they shed', async () => {
    assert.equal(PLAY_LIMIT.guestsPerAddress, 300);
    const address = '203.0.113.9';
    const from = { 'x-forwarded-for': address };
    for (let g = 0; g < 5; g++) {
      const viewer = await guest(address);
      for (let i = 0; i < 60; i++) {
        assert.equal((await viewer.get(`/play/${fileId}`, from)).status, 200, `guest ${g} play ${i}`);
      }
    }
    const fresh = await guest(address);
    const limited = await fresh.get(`/play/${fileId}`, from);
    assert.equal(limited.status, 429, 'a fresh guest cookie from the same address');
    assert.deepEqual(Object.keys(limited.body).sort(), ['error', 'message']);
    assert.ok(Number(limited.headers.get('retry-after')) > 0);

    const elsewhere = await guest('198.51.100.77');
    assert.equal(
      (await elsewhere.get(`/play/${fileId}`, { 'x-forwarded-for': '198.51.100.77' })).status,
      200,
    );
    const admin = await signInAdmin(server);
    assert.equal((await admin.get(`/play/${fileId}`, from)).status, 200, 'an account is counted as itself');
  });
});
