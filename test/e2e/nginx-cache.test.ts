import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type MediaFile } from '../../src/library/schemas/media-file.schema.js';
import { StreamService } from '../../src/stream/stream.service.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { startInProcessApp, type InProcessApp } from '../support/in-process-app.js';
import { storeFile } from '../support/library-fixtures.js';
import { randomFile } from '../support/media.js';
import { startNginx } from '../support/nginx.js';

const STREAM_SECRET = 'nginx-and-app-share-this-secret';
const SIZE = 2 * 1024 * 1024 + 4321;

describe('nginx slice cache in front of the streamer', () => {
  let db: TestDatabase;
  let server: InProcessApp | undefined;
  let nginx: Awaited<ReturnType<typeof startNginx>>;
  let source: Buffer;
  let file: MediaFile;
  let link: string;

  before(async () => {
    db = await startTestDatabase();
    server = await startInProcessApp({ MONGODB_URI: db.uri, ROLE: 'streamer', STREAM_SECRET });
    const random = randomFile(SIZE);
    source = random.bytes;
    file = await storeFile(server.app, random.path, 'cached movie.mkv', 'video/x-matroska');
    nginx = await startNginx(new URL(server.url).host, STREAM_SECRET);
    link = server.app.get(StreamService).sign(file).url.replace(server.config.http.publicUrl, nginx.url);
  });
  after(async () => {
    await nginx?.stop();
    await server?.close();
    await db?.stop();
  });

  it('serves a valid link as 206 with the exact bytes', async () => {
    const res = await fetch(link, { headers: { range: 'bytes=1048000-1049999' } });
    assert.equal(res.status, 206);
    assert.equal(res.headers.get('content-range'), `bytes 1048000-1049999/${SIZE}`);
    assert.ok(Buffer.from(await res.arrayBuffer()).equals(source.subarray(1048000, 1050000)));
  });

  it('answers a range outside the file, cold or cached, with one JSON 416 that players on other origins can read', async () => {
    for (const range of [`bytes=${SIZE}-`, `bytes=${SIZE + 5}-`, 'bytes=5-3', `bytes=${SIZE}-`]) {
      const res = await fetch(link, { headers: { range } });
      assert.equal(res.status, 416, range);
      assert.match(res.headers.get('content-type') ?? '', /application\/json/, range);
      assert.equal(((await res.json()) as { error: string }).error, 'range_not_satisfiable', range);
      // fetch joins repeated headers with ", ": two copies make browsers refuse the answer.
      assert.equal(res.headers.get('access-control-allow-origin'), '*', range);
      assert.doesNotMatch(res.headers.get('x-cache-status') ?? '', /,/, range);
      assert.equal(res.headers.get('content-range'), `bytes */${SIZE}`, range);
    }
  });

  it('refuses a tampered link with 403 and an expired one with 410, before reaching the app', async () => {
    const tampered = new URL(link);
    tampered.searchParams.set('md5', 'AAAAAAAAAAAAAAAAAAAAAA');
    const forbidden = await fetch(tampered, { headers: { range: 'bytes=0-9' } });
    assert.equal(forbidden.status, 403);
    assert.equal(((await forbidden.json()) as { error: string }).error, 'forbidden');

    const old = server!.app.get(StreamService).sign(file, Math.floor(Date.now() / 1000) - 30 * 24 * 3600);
    const expired = await fetch(old.url.replace(server!.config.http.publicUrl, nginx.url));
    assert.equal(expired.status, 410);
    assert.equal(((await expired.json()) as { error: string }).error, 'link_expired');
  });

  it('caches slices: a repeated range is a HIT, still served after the streamer stops', async () => {
    const range = { range: 'bytes=2097200-2099999' }; // the last slice, not fetched before
    const first = await fetch(link, { headers: range });
    await first.arrayBuffer();
    assert.equal(first.headers.get('x-cache-status'), 'MISS');
    const second = await fetch(link, { headers: range });
    assert.equal(second.headers.get('x-cache-status'), 'HIT');
    assert.ok(Buffer.from(await second.arrayBuffer()).equals(source.subarray(2097200, 2100000)));

    // Another valid link (new expiry) to the same file shares the cache: the key has no signature.
    const relinked = server!.app.get(StreamService).sign(file, Math.floor(Date.now() / 1000) + 60);
    await server!.close();
    server = undefined;
    const offline = await fetch(relinked.url.replace(/^http:\/\/[^/]+/, nginx.url), { headers: range });
    assert.equal(offline.status, 206);
    assert.equal(offline.headers.get('x-cache-status'), 'HIT');
    assert.ok(Buffer.from(await offline.arrayBuffer()).equals(source.subarray(2097200, 2100000)));
  });
});
