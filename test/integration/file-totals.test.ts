import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Types } from 'mongoose';
import { RedisClient } from '../../src/core/redis/redis-client.js';
import { seededRandom, syntheticTitles } from '../../src/library/bulk/synthetic-titles.js';
import { TitleImportService } from '../../src/library/bulk/title-import.service.js';
import { CatalogRebuilder } from '../../src/library/catalog/catalog-rebuilder.js';
import { LibraryService } from '../../src/library/library.service.js';
import { MediaFileRepository } from '../../src/library/media-file.repository.js';
import { eventually } from '../support/eventually.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { startInProcessApp, type InProcessApp } from '../support/in-process-app.js';
import { startPrivateRedis } from '../support/private-redis.js';

/**
 * The dashboard's and /stats' file count and bytes come from counters every media_files write keeps
 * (no scan per request), recounted with the catalog rebuild and when they are missing.
 */
describe('library file totals', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let library: LibraryService;
  let files: MediaFileRepository;

  before(async () => {
    db = await startTestDatabase();
    server = await startInProcessApp({ MONGODB_URI: db.uri, ROLE: 'worker' });
    library = server.app.get(LibraryService);
    files = server.app.get(MediaFileRepository);
  });
  after(async () => {
    await server?.close();
    await db?.stop();
  });

  const redis = () => server.app.get(RedisClient).client;
  const assertTotalsMatchCollection = async (what: string) =>
    assert.deepEqual(await library.fileTotals(), await files.sumSizes(), what);

  const register = (name: string, size: number, titleId?: Types.ObjectId) =>
    library.registerFile({
      storage: { kind: 'local', parts: [{ ref: `media/${name}`, size }] },
      size,
      mime: 'video/x-matroska',
      fileName: name,
      streams: { video: [], audio: [], subtitles: [] },
      screenshots: [],
      titleId,
      episodes: [],
    });

  it('starts from a count of what is there, then follows registers, imports and deletes', async () => {
    const early = await register('before-any-count.mkv', 5_000);
    assert.deepEqual(await library.fileTotals(), { files: 1, bytes: 5_000 });

    const show = await library.upsertSkeleton({ kind: 'series', name: 'Counting Stars', year: 2020 });
    const movie = await library.upsertSkeleton({ kind: 'movie', name: 'Big Numbers', year: 2021 });
    const episodes = [];
    for (let episode = 1; episode <= 4; episode++) {
      const file = await register(`cs-e${episode}.mkv`, 1_000_000 * episode, show._id);
      await library.attachFile(show._id, file._id, { season: 1, episodes: [episode] });
      episodes.push(file);
    }
    const feature = await register('big-numbers.mkv', 7_000_000_000, movie._id);
    await library.attachFile(movie._id, feature._id);
    assert.deepEqual(await library.fileTotals(), { files: 6, bytes: 5_000 + 10_000_000 + 7_000_000_000 });

    const generated = syntheticTitles(seededRandom(3), 3);
    const outcome = await server.app
      .get(TitleImportService)
      .importBatch(Array.from({ length: 40 }, () => generated.next().value!));
    assert.equal(outcome.files, outcome.imported * 3);
    await assertTotalsMatchCollection('after a bulk import');

    await library.deleteFile(show._id, episodes[0]._id);
    await assertTotalsMatchCollection('after a file delete');
    await library.deleteEpisode(show._id, 1, 2);
    await assertTotalsMatchCollection('after an episode delete');
    await library.deleteTitle(show._id);
    await library.deleteTitle(movie._id);
    await assertTotalsMatchCollection('after title deletes');
    assert.equal((await library.fileTotals()).files, 1 + outcome.files);
    assert.ok(await files.findById(early._id));
  });

  it('answers without reading the database', async () => {
    const expected = await files.sumSizes();
    await db.kill();
    try {
      assert.deepEqual(await library.fileTotals(), expected);
    } finally {
      await db.restart();
    }
  });

  it('recounts when the counters are gone (a Redis flush) or the rebuild runs', async () => {
    const expected = await files.sumSizes();
    await redis().del('library:file-totals');
    await register('written-while-missing.mkv', 123);
    assert.deepEqual(await library.fileTotals(), { files: expected.files + 1, bytes: expected.bytes + 123 });

    await redis().hset('library:file-totals', { files: 1, bytes: 1 });
    assert.deepEqual(await library.fileTotals(), { files: 1, bytes: 1 }, 'a stored total is trusted');
    await server.app.get(CatalogRebuilder).rebuild('test: file totals');
    const expectedAfter = await files.sumSizes();
    await eventually(
      () => library.fileTotals(),
      (totals) => totals.files === expectedAfter.files && totals.bytes === expectedAfter.bytes,
      { what: 'the file totals recounted after the rebuild', timeoutMs: 30_000 },
    );
  });

  it('counts the database when Redis cannot be reached', async () => {
    const redis = await startPrivateRedis();
    // A streamer: it has the library's services and no queues (which would not close without Redis).
    const cut = await startInProcessApp({ MONGODB_URI: db.uri, ROLE: 'streamer', REDIS_URL: redis.url });
    try {
      const expected = await files.sumSizes();
      assert.deepEqual(await cut.app.get(LibraryService).fileTotals(), expected);
      await redis.stop();
      assert.deepEqual(await cut.app.get(LibraryService).fileTotals(), expected);
    } finally {
      await cut.close();
      await redis.stop();
    }
  });
});
