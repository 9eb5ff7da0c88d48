import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { RedisClient } from '../../src/core/redis/redis-client.js';
import { MusicCatalog } from '../../src/music/catalog/music-catalog.js';
import { MusicChangeLog } from '../../src/music/model/music-change-log.js';
import { MusicRepository } from '../../src/music/model/music.repository.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { startInProcessApp, type InProcessApp } from '../support/in-process-app.js';
import { fileOneTrackAlbum } from '../support/music-records.js';
import { TEST_REDIS_URL, uniqueRedisPrefix } from '../support/redis.js';

const KEPT = 20;

/** One album of one track by the change log's quartet. */
const fileAlbum = (music: MusicRepository, name: string) =>
  fileOneTrackAlbum(music, { artist: 'Change Log Quartet', album: name, title: `${name} opening` });

describe('music change log', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let raw: Redis;
  let prefix: string;

  before(async () => {
    db = await startTestDatabase();
    prefix = uniqueRedisPrefix();
    raw = new Redis(TEST_REDIS_URL, { keyPrefix: `${prefix}:` });
    // What the first layout left: an uncapped list and a checkpoint numbered by its length.
    await raw.rpush('music:changes', 'al-00000000000000000000', 'ar-00000000000000000000');
    await raw.set('music:checkpoint', 'old');
    server = await startInProcessApp({
      MONGODB_URI: db.uri,
      ROLE: 'manager',
      REDIS_PREFIX: prefix,
      MUSIC_CHANGE_LOG_LENGTH: String(KEPT),
    });
  });
  after(async () => {
    await server?.close();
    if (raw) {
      const keys = await raw.keys(`${prefix}:*`);
      if (keys.length > 0) await raw.del(...keys.map((key) => key.slice(prefix.length + 1)));
      raw.disconnect();
    }
    await db?.stop();
  });

  it('removes the uncapped list and checkpoint of the first layout at start', async () => {
    assert.equal(await raw.exists('music:changes', 'music:checkpoint'), 0);
    assert.equal(server.app.get(RedisClient).client.options.keyPrefix, `${prefix}:`);
  });

  it('keeps only the latest changes while the revision counts every one', async () => {
    const log = server.app.get(MusicChangeLog);
    const start = await log.revision();
    const ids = Array.from({ length: 3 * KEPT }, (_, n) => `al-${String(n).padStart(20, '0')}`);
    for (let n = 0; n < ids.length; n += 7) await log.record(ids.slice(n, n + 7));
    assert.equal(await log.revision(), start + ids.length);
    assert.equal(await raw.llen('music:change-log'), KEPT);
    const recent = await log.since(start + ids.length - 5);
    assert.deepEqual(recent, { revision: start + ids.length, ids: ids.slice(-5) });
    assert.equal(await log.since(start + ids.length - KEPT - 1), undefined, 'older than what is kept');
    assert.equal(await log.since(start + ids.length + 1), undefined, 'ahead of the store');
  });

  it('a catalog further behind than the log loads again and lists every album', async () => {
    const music = server.app.get(MusicRepository);
    const catalog = server.app.get(MusicCatalog);
    const first = await fileAlbum(music, 'Before The Flood');
    await eventually(
      () => catalog.current(),
      (snapshot) => snapshot.albumById.has(first),
      { what: 'the first album listed', timeoutMs: 10_000 },
    );
    // More changes than the log keeps (albums that do not exist), then a real one at the end.
    const log = server.app.get(MusicChangeLog);
    for (let n = 0; n < 2 * KEPT; n++) await log.record([`al-${String(n).padStart(20, '9')}`]);
    const second = await fileAlbum(music, 'After The Flood');
    const revision = await log.revision();
    const snapshot = await eventually(
      () => catalog.current(),
      (current) => current.revision === revision,
      { what: 'the catalog caught up', timeoutMs: 10_000 },
    );
    assert.ok(snapshot.albumById.has(first));
    assert.ok(snapshot.albumById.has(second));
    assert.equal(snapshot.albums.length, 2);
  });
});
