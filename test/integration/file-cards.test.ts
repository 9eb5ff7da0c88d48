import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Types } from 'mongoose';
import { RedisClient } from '../../src/core/redis/redis-client.js';
import { CatalogQueryService } from '../../src/library/catalog/catalog-query.service.js';
import { seededRandom, syntheticTitles } from '../../src/library/bulk/synthetic-titles.js';
import { TitleImportService } from '../../src/library/bulk/title-import.service.js';
import { toFileCard } from '../../src/library/file-card.js';
import { FileCardRepository } from '../../src/library/file-card.repository.js';
import { LibraryService } from '../../src/library/library.service.js';
import { MediaFileRepository } from '../../src/library/media-file.repository.js';
import { type Title } from '../../src/library/schemas/title.schema.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { startInProcessApp, type InProcessApp } from '../support/in-process-app.js';
import { startPrivateRedis } from '../support/private-redis.js';

/**
 * A title page reads its files' cards (what a file list shows) in one Redis round trip: every write
 * of media_files keeps them, and a file without one is read by `_id` and gets one.
 */
describe('file cards', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let library: LibraryService;
  let files: MediaFileRepository;
  let cards: FileCardRepository;

  before(async () => {
    db = await startTestDatabase();
    server = await startInProcessApp({ MONGODB_URI: db.uri, ROLE: 'worker' });
    library = server.app.get(LibraryService);
    files = server.app.get(MediaFileRepository);
    cards = server.app.get(FileCardRepository);
  });
  after(async () => {
    await server?.close();
    await db?.stop();
  });

  const register = (name: string, titleId?: Types.ObjectId) =>
    library.registerFile({
      storage: { kind: 'local', parts: [{ ref: `media/${name}`, size: 1000 }] },
      size: 1000,
      mime: 'video/x-matroska',
      fileName: name,
      duration: 1500,
      streams: {
        video: [{ index: 0, codec: 'h264', width: 1920, height: 1080 }],
        audio: [{ index: 1, codec: 'aac', language: 'jpn' }],
        subtitles: [],
      },
      screenshots: [],
      titleId,
      episodes: [],
    });

  /** The cards as the page reads them must be what the records say now. */
  const assertCardsMatchRecords = async (title: Title, what: string) => {
    const current = (await library.findTitles([title._id]))[0]!;
    const records = await library.filesOfTitle(current);
    assert.deepEqual(
      await library.fileCardsOfTitle(current),
      records.map((file) => toFileCard(file).card),
      what,
    );
  };
  const held = async (ids: Types.ObjectId[]) => cards.get(ids.map(String));

  it('follow registering, filing, renaming, stills, subtitles and deletes', async () => {
    const show = await library.upsertSkeleton({ kind: 'series', name: 'Card Tricks', year: 2021 });
    const e1 = await register('ct-e1.mkv', show._id);
    const e2 = await register('ct-e2.mkv', show._id);
    await library.attachFiles(show._id, [
      { fileId: e1._id, placement: { season: 1, episodes: [1] } },
      { fileId: e2._id, placement: { season: 1, episodes: [2] } },
    ]);
    const [card] = await held([e1._id]);
    assert.equal(card?.fileName, 'ct-e1.mkv');
    assert.equal(card?.season, 1, 'filing is on the card');
    assert.deepEqual(card?.episodes, [1]);
    await assertCardsMatchRecords(show, 'after filing');

    await library.renameFile(e1._id, 'Card Tricks S01E01.mkv');
    await library.setFileArtifacts(e1._id, {
      screenshots: [1, 2, 3].map((n) => ({ ref: `shots/ct-${n}.webp`, size: 10 })),
    });
    const vtt = { ref: 'subs/ct-e2.vtt', size: 5 };
    await library.addExternalSubtitle(e2._id, {
      codec: 'subrip',
      language: 'eng',
      vtt,
      external: { part: { ref: 'subs/ct-e2.srt', size: 6 }, sha256: 'ab'.repeat(32), name: 'ct-e2.srt' },
    });
    const [renamed, subtitled] = await library.fileCardsOfTitle((await library.findTitles([show._id]))[0]!);
    assert.equal(renamed.fileName, 'Card Tricks S01E01.mkv');
    assert.equal(renamed.screenshotCount, 3);
    assert.deepEqual(subtitled.streams.subtitles, [
      { index: -1, codec: 'subrip', language: 'eng', external: true },
    ]);
    await assertCardsMatchRecords(show, 'after rename, stills and a sidecar subtitle');

    await library.deleteFile(show._id, e1._id);
    assert.deepEqual(await held([e1._id]), [undefined]);
    await assertCardsMatchRecords(show, 'after a file delete');
  });

  it('never brings back a deleted file or an older card', async () => {
    const movie = await library.upsertSkeleton({ kind: 'movie', name: 'Stale Cards', year: 2022 });
    const file = await register('stale.mkv', movie._id);
    await library.attachFile(movie._id, file._id);
    const filed = (await files.findById(file._id))!;
    await library.renameFile(file._id, 'Stale Cards (2022).mkv');
    await cards.put([toFileCard(filed)]);
    assert.equal((await held([file._id]))[0]?.fileName, 'Stale Cards (2022).mkv', 'an older card loses');

    await library.deleteTitle(movie._id);
    await cards.put([toFileCard(filed)]);
    assert.deepEqual(await held([file._id]), [undefined], 'a deleted file gets no card');
  });

  it('are filled from the database when Redis lost them, and kept by bulk imports', async () => {
    const generated = syntheticTitles(seededRandom(7), 4);
    await server.app
      .get(TitleImportService)
      .importBatch(Array.from({ length: 5 }, () => generated.next().value!));
    const imported = await library.titlesByIds(
      (await server.app.get(CatalogQueryService).list({ limit: 5 })).items.map((card) => card.id),
    );
    assert.equal(imported.length, 5);
    for (const title of imported) {
      const fileIds = [
        ...title.fileIds,
        ...title.seasons.flatMap((s) => s.episodes.flatMap((e) => e.fileIds)),
      ];
      assert.equal(fileIds.length, 4);
      assert.equal((await held(fileIds)).filter(Boolean).length, 4, `imported "${title.name}" has cards`);
      await assertCardsMatchRecords(title, `imported "${title.name}"`);
    }

    const show = await library.upsertSkeleton({ kind: 'series', name: 'Lost Cards', year: 2023 });
    const ids = [];
    for (let episode = 1; episode <= 3; episode++) {
      const file = await register(`lc-e${episode}.mkv`, show._id);
      await library.attachFile(show._id, file._id, { season: 1, episodes: [episode] });
      ids.push(file._id);
    }
    await server.app.get(RedisClient).client.del('library:{file-cards}');
    assert.deepEqual(await held(ids), [undefined, undefined, undefined]);
    await assertCardsMatchRecords(show, 'filled after the flush');
    assert.equal((await held(ids)).filter(Boolean).length, 3, 'and stored again');
  });

  it('are read from the database while Redis cannot be reached', async () => {
    const redis = await startPrivateRedis();
    const cut = await startInProcessApp({ MONGODB_URI: db.uri, ROLE: 'streamer', REDIS_URL: redis.url });
    try {
      const show = await library.upsertSkeleton({ kind: 'series', name: 'Offline Cards', year: 2024 });
      const file = await register('oc-e1.mkv', show._id);
      await library.attachFile(show._id, file._id, { season: 1, episodes: [1] });
      const current = (await library.findTitles([show._id]))[0]!;
      await redis.stop();
      const read = await cut.app.get(LibraryService).fileCardsOfTitle(current);
      assert.deepEqual(
        read.map((card) => card.fileName),
        ['oc-e1.mkv'],
      );
    } finally {
      await cut.close();
      await redis.stop();
    }
  });
});
