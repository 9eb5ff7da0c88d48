import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RedisClient } from '../../src/core/redis/redis-client.js';
import { StreamService } from '../../src/stream/stream.service.js';
import { ACTIVE_STREAMS_KEY } from '../../src/stream/usage/stream-usage.keys.js';
import { StreamUsagePublisher } from '../../src/stream/usage/stream-usage.publisher.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { TestClient } from '../support/http.js';
import { startInProcessApp, type InProcessApp, signInAdmin } from '../support/in-process-app.js';
import { storeFile } from '../support/library-fixtures.js';
import { randomFile } from '../support/media.js';

const figure = (html: string, name: string) => new RegExp(`data-figure="${name}">([^<]*)<`).exec(html)?.[1];

describe('admin dashboard: streams in progress and bytes served today, published by streamers to Redis', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let admin: TestClient;

  before(async () => {
    db = await startTestDatabase();
    server = await startInProcessApp({ MONGODB_URI: db.uri, ROLE: 'manager,streamer' });
    admin = await signInAdmin(server);
  });
  after(async () => {
    await server?.close();
    await db?.stop();
  });

  it('adds the bytes a stream served to today’s total', async () => {
    const before = figure(String((await admin.get('/admin')).body), 'served-today');
    assert.equal(before, '0 B');
    const file = await storeFile(server.app, randomFile(3 * 1024 * 1024).path, 'Served.bin');
    const url = server.app
      .get(StreamService)
      .sign(file)
      .url.replace(server.config.http.publicUrl, server.url);
    const res = await fetch(url, { headers: { range: 'bytes=0-1048575' } });
    assert.equal(res.status, 206);
    assert.equal((await res.arrayBuffer()).byteLength, 1024 * 1024);
    await eventually(
      async () => figure(String((await admin.get('/admin')).body), 'served-today'),
      (served) => served === '1.0 MiB',
      { what: 'the dashboard to show 1 MiB served today' },
    );
  });

  it('counts streams in progress across streamers, and drops a streamer that stopped reporting', async () => {
    const redis = server.app.get(RedisClient).client;
    await redis.hset(ACTIVE_STREAMS_KEY, 'other-streamer', `3:${Date.now()}`);
    await redis.hset(ACTIVE_STREAMS_KEY, 'crashed-streamer', `5:${Date.now() - 60_000}`);
    assert.equal(figure(String((await admin.get('/admin')).body), 'active-streams'), '3');
    assert.equal(
      await redis.hget(ACTIVE_STREAMS_KEY, 'crashed-streamer'),
      null,
      'the stale entry is removed',
    );
    await redis.hdel(ACTIVE_STREAMS_KEY, 'other-streamer');

    const usage = server.app.get(StreamUsagePublisher);
    usage.started();
    usage.started();
    await usage.flush();
    assert.equal(figure(String((await admin.get('/admin')).body), 'active-streams'), '2');
    usage.ended();
    await usage.flush();
    assert.equal(figure(String((await admin.get('/admin')).body), 'active-streams'), '1');
    usage.ended();
    await usage.flush();
    assert.equal(figure(String((await admin.get('/admin')).body), 'active-streams'), '0');
  });
});
