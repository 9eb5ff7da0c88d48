import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { LibraryService } from '../../src/library/library.service.js';
import { StreamService } from '../../src/stream/stream.service.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { startInProcessApp, type InProcessApp } from '../support/in-process-app.js';
import { storeFile } from '../support/library-fixtures.js';
import { randomFile } from '../support/media.js';
import { startNginx } from '../support/nginx.js';

const STREAM_SECRET = 'nginx-and-app-share-this-secret';
const SIZE = 2 * 1024 * 1024 + 99;
// The takedown window, shortened for the test (compose: NGINX_CACHE_REVALIDATE, 1m by default).
const WINDOW_MS = 1000;

describe('nginx slice cache: slices are revalidated with the app, so a deleted file stops playing', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let nginx: Awaited<ReturnType<typeof startNginx>>;
  let storeReads = 0;

  before(async () => {
    db = await startTestDatabase();
    server = await startInProcessApp({ MONGODB_URI: db.uri, ROLE: 'manager,streamer', STREAM_SECRET });
    nginx = await startNginx(new URL(server.url).host, STREAM_SECRET, undefined, {
      cacheRevalidate: `${WINDOW_MS / 1000}s`,
    });
    // Count the reads of stored bytes (the store itself is real).
    const streams = server.app.get(StreamService);
    const read = streams.read.bind(streams);
    streams.read = (...args) => {
      storeReads++;
      return read(...args);
    };
  });
  after(async () => {
    await nginx?.stop();
    await server?.close();
    await db?.stop();
  });

  const get = async (link: string, range: string) => {
    const res = await fetch(link, { headers: { range } });
    return { res, bytes: Buffer.from(await res.arrayBuffer()) };
  };

  it('keeps serving a live file after the window without reading storage again (a 304 revalidation)', async () => {
    const random = randomFile(SIZE);
    const file = await storeFile(server.app, random.path, 'kept.mkv', 'video/x-matroska');
    const link = server.app
      .get(StreamService)
      .sign(file)
      .url.replace(server.config.http.publicUrl, nginx.url);
    const first = await get(link, 'bytes=0-9');
    assert.equal(first.res.headers.get('x-cache-status'), 'MISS');
    const reads = storeReads;
    const hit = await get(link, 'bytes=10-19');
    assert.equal(hit.res.headers.get('x-cache-status'), 'HIT');
    await sleep(WINDOW_MS + 1100);
    const again = await get(link, 'bytes=20-29');
    assert.equal(again.res.status, 206);
    assert.equal(again.res.headers.get('x-cache-status'), 'REVALIDATED');
    assert.ok(again.bytes.equals(random.bytes.subarray(20, 30)));
    assert.equal(storeReads, reads, 'the slice was not read from storage again');
    // And revalidated, it is a HIT again for the next window.
    assert.equal((await get(link, 'bytes=30-39')).res.headers.get('x-cache-status'), 'HIT');
  });

  it('answers 404 for a deleted file once the window has passed, though its slice was cached', async () => {
    const random = randomFile(SIZE);
    const file = await storeFile(server.app, random.path, 'taken down.mkv', 'video/x-matroska');
    const link = server.app
      .get(StreamService)
      .sign(file)
      .url.replace(server.config.http.publicUrl, nginx.url);
    const cached = await get(link, 'bytes=0-9');
    assert.equal(cached.res.status, 206);
    assert.equal(cached.res.headers.get('x-cache-status'), 'MISS');

    await server.app.get(LibraryService).deleteDetachedFiles([file._id], 'takedown');
    // The app itself refuses it at once.
    const direct = await fetch(link.replace(nginx.url, server.url), { headers: { range: 'bytes=0-9' } });
    assert.equal(direct.status, 404);
    await direct.arrayBuffer();

    await sleep(WINDOW_MS + 1100);
    const after = await get(link, 'bytes=0-9');
    assert.equal(after.res.status, 404);
    assert.equal(JSON.parse(after.bytes.toString()).error, 'not_found');
    assert.ok(!after.bytes.includes(random.bytes.subarray(0, 10)));
  });
});
