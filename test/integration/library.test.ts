import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Types } from 'mongoose';
import { MongoConnection } from '../../src/core/database/mongo-connection.js';
import { CommentService } from '../../src/library/comment.service.js';
import { FileChangeBus } from '../../src/library/file-change.bus.js';
import { LibraryService } from '../../src/library/library.service.js';
import { MediaFileRepository } from '../../src/library/media-file.repository.js';
import { PendingDeletionRepository } from '../../src/library/pending-deletion.repository.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { startInProcessApp, type InProcessApp } from '../support/in-process-app.js';
import { createMediaFile } from '../support/library-fixtures.js';

describe('library on real FerretDB', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let library: LibraryService;

  before(async () => {
    db = await startTestDatabase();
    server = await startInProcessApp({ MONGODB_URI: db.uri, ROLE: 'worker' });
    library = server.app.get(LibraryService);
  });
  after(async () => {
    await server?.close();
    await db?.stop();
  });

  const collection = (name: string) => server.app.get(MongoConnection).connection.collection(name);

  it('20 concurrent upserts of one title produce one document', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        library.upsertSkeleton({ kind: 'series', name: 'Breaking Bad', year: 2008 }),
      ),
    );
    assert.equal(new Set(results.map((title) => String(title._id))).size, 1);
    assert.equal(await collection('titles').countDocuments({ name: 'Breaking Bad' }), 1);
  });

  it('finds a title by external id whatever name the file used', async () => {
    const first = await library.upsertSkeleton({
      kind: 'movie',
      name: 'The Matrix',
      year: 1999,
      externalIds: { tmdb: 603 },
    });
    const again = await library.upsertSkeleton({
      kind: 'movie',
      name: 'Matrix',
      year: 1999,
      externalIds: { tmdb: 603 },
    });
    const byName = await library.upsertSkeleton({ kind: 'movie', name: 'the  MATRIX', year: 1999 });
    assert.equal(String(again._id), String(first._id));
    assert.equal(String(byName._id), String(first._id));
  });

  it('keeps movies and shows of the same name apart', async () => {
    const movie = await library.upsertSkeleton({ kind: 'movie', name: 'Fargo', year: 1996 });
    const show = await library.upsertSkeleton({ kind: 'series', name: 'Fargo', year: 1996 });
    assert.notEqual(String(movie._id), String(show._id));
  });

  it('builds season and episode buckets as files attach, never duplicating a file', async () => {
    const title = await library.upsertSkeleton({ kind: 'series', name: 'Bucket Show' });
    const [e1, e2, s2e1] = [
      await createMediaFile(server.app),
      await createMediaFile(server.app),
      await createMediaFile(server.app),
    ];
    await library.attachFile(title._id, e2, { season: 1, episodes: [2] });
    await library.attachFile(title._id, s2e1, { season: 2, episodes: [1] });
    await library.attachFile(title._id, e1, { season: 1, episodes: [1] });
    await library.attachFile(title._id, e1, { season: 1, episodes: [1] });

    const stored = await library.requireTitle(title._id);
    assert.deepEqual(
      stored.seasons.map((s) => ({
        n: s.number,
        eps: s.episodes.map((e) => [e.number, e.fileIds.map(String)]),
      })),
      [
        {
          n: 1,
          eps: [
            [1, [String(e1)]],
            [2, [String(e2)]],
          ],
        },
        { n: 2, eps: [[1, [String(s2e1)]]] },
      ],
    );
    const file = await server.app.get(MediaFileRepository).findById(e2);
    assert.equal(String(file?.titleId), String(title._id));
    assert.deepEqual([file?.season, file?.episodes], [1, [2]]);
  });

  it('attaches concurrently without losing a file', async () => {
    const title = await library.upsertSkeleton({ kind: 'anime', name: 'Race Anime' });
    const files = await Promise.all(Array.from({ length: 12 }, () => createMediaFile(server.app)));
    await Promise.all(
      files.map((fileId, index) => library.attachFile(title._id, fileId, { episodes: [index + 1] })),
    );
    const stored = await library.requireTitle(title._id);
    assert.equal(stored.seasons.length, 1);
    assert.deepEqual(
      stored.seasons[0].episodes.map((e) => e.number),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
    );
  });

  it('files a multi-episode file under each of its episodes', async () => {
    const title = await library.upsertSkeleton({ kind: 'series', name: 'Multi Show' });
    const file = await createMediaFile(server.app);
    await library.attachFile(title._id, file, { season: 1, episodes: [1, 2, 3] });
    const stored = await library.requireTitle(title._id);
    assert.deepEqual(
      stored.seasons[0].episodes.map((e) => e.number),
      [1, 2, 3],
    );
  });

  it('deleting one file leaves its siblings and drops buckets it empties', async () => {
    const title = await library.upsertSkeleton({ kind: 'series', name: 'Delete Show' });
    const [keep720, drop1080, lonely] = [
      await createMediaFile(server.app),
      await createMediaFile(server.app),
      await createMediaFile(server.app),
    ];
    await library.attachFile(title._id, keep720, { season: 1, episodes: [1] });
    await library.attachFile(title._id, drop1080, { season: 1, episodes: [1] });
    await library.attachFile(title._id, lonely, { season: 2, episodes: [5] });

    const files = server.app.get(MediaFileRepository);
    await files.setProbe(drop1080, {
      streams: { video: [], audio: [], subtitles: [{ index: 2, codec: 'subrip' }] },
    });
    await files.setSubtitleVtt(drop1080, 0, { ref: 'vtt/drop1080-0.vtt', size: 10 });

    await library.deleteFile(title._id, drop1080);
    await library.deleteFile(title._id, lonely);

    const stored = await library.requireTitle(title._id);
    assert.deepEqual(
      stored.seasons.map((s) => s.number),
      [1],
    );
    assert.deepEqual(stored.seasons[0].episodes[0].fileIds.map(String), [String(keep720)]);
    assert.equal(await server.app.get(MediaFileRepository).findById(drop1080), null);
    const pending = (await server.app.get(PendingDeletionRepository).list(1000)).filter(
      (p) => p.fileId === String(drop1080),
    );
    assert.equal(pending.length, 3, 'the part, the still and the WebVTT are queued for storage deletion');
    assert.ok(pending.some((p) => p.ref === 'vtt/drop1080-0.vtt'));
  });

  it('deletes one episode with its files', async () => {
    const title = await library.upsertSkeleton({ kind: 'series', name: 'Episode Delete Show' });
    const [a, b] = [await createMediaFile(server.app), await createMediaFile(server.app)];
    await library.attachFile(title._id, a, { season: 1, episodes: [1] });
    await library.attachFile(title._id, b, { season: 1, episodes: [2] });
    await library.deleteEpisode(title._id, 1, 1);
    const stored = await library.requireTitle(title._id);
    assert.deepEqual(
      stored.seasons[0].episodes.map((e) => e.number),
      [2],
    );
    assert.equal(await server.app.get(MediaFileRepository).findById(a), null);
  });

  it('never gives a movie seasons: the mismatch is recorded instead', async () => {
    const movie = await library.upsertSkeleton({ kind: 'movie', name: 'Heat', year: 1995 });
    const proper = await createMediaFile(server.app);
    const noisy = await createMediaFile(server.app);
    assert.deepEqual(await library.attachFile(movie._id, proper), { attached: true });
    const result = await library.attachFile(movie._id, noisy, { season: 1, episodes: [1] });
    assert.equal(result.attached, false);

    const stored = await library.requireTitle(movie._id);
    assert.deepEqual(stored.seasons, []);
    assert.deepEqual(stored.fileIds.map(String), [String(proper)]);
    assert.equal(stored.mismatches.length, 1);
    assert.equal(String(stored.mismatches[0].fileId), String(noisy));
    assert.match(stored.mismatches[0].reason, /is a movie/);
  });

  it('removes a movie file with $pull', async () => {
    const movie = await library.upsertSkeleton({ kind: 'movie', name: 'Two Cuts', year: 2001 });
    const [theatrical, extended] = [await createMediaFile(server.app), await createMediaFile(server.app)];
    await library.attachFile(movie._id, theatrical);
    await library.attachFile(movie._id, extended);
    await library.deleteFile(movie._id, theatrical);
    assert.deepEqual((await library.requireTitle(movie._id)).fileIds.map(String), [String(extended)]);
  });

  it('enrichment fills fields but never overwrites an admin edit', async () => {
    const title = await library.upsertSkeleton({ kind: 'movie', name: 'Alien', year: 1979 });
    await library.updateTitle(title._id, { overview: 'Admin wrote this.' });
    const enriched = await library.enrich(title._id, {
      overview: 'TMDB overview',
      genres: ['Horror', 'Science Fiction'],
      externalIds: { tmdb: 348 },
    });
    assert.equal(enriched.overview, 'Admin wrote this.');
    assert.deepEqual(enriched.genres, ['Horror', 'Science Fiction']);
    assert.deepEqual(enriched.lockedFields, ['overview']);
    const byTmdb = await library.upsertSkeleton({
      kind: 'movie',
      name: 'Alien (Director’s Cut)',
      externalIds: { tmdb: 348 },
    });
    assert.equal(String(byTmdb._id), String(title._id));
  });

  it('deleting a title removes its files and comments and queues their storage for deletion', async () => {
    const title = await library.upsertSkeleton({ kind: 'series', name: 'Gone Show' });
    const file = await createMediaFile(server.app);
    await library.attachFile(title._id, file, { season: 1, episodes: [1] });
    await library.deleteTitle(title._id);
    await assert.rejects(library.requireTitle(title._id), /No title/);
    assert.equal(await server.app.get(MediaFileRepository).findById(file), null);
    const pending = await server.app.get(PendingDeletionRepository).list(1000);
    assert.ok(pending.some((p) => p.fileId === String(file) && p.reason === 'title deleted'));
    // Its natural key is free again: the same name makes a new title.
    const again = await library.upsertSkeleton({ kind: 'series', name: 'Gone Show' });
    assert.notEqual(String(again._id), String(title._id));
  });

  it('tells the file-record caches of every change to a file: stills, subtitle tracks, its title', async () => {
    const heard: string[][] = [];
    await server.app.get(FileChangeBus).listen((ids) => heard.push([...(ids ?? ['everything'])]));
    const hears = async (what: string, fileId: Types.ObjectId, change: () => Promise<unknown>) => {
      heard.length = 0;
      await change();
      assert.ok(
        heard.some((ids) => ids.includes(String(fileId))),
        `${what}: a cached record would be served unchanged`,
      );
    };
    const movie = await library.upsertSkeleton({ kind: 'movie', name: 'Cache News', year: 2011 });
    const show = await library.upsertSkeleton({ kind: 'series', name: 'Cache News Show' });
    const [film, episode] = [await createMediaFile(server.app), await createMediaFile(server.app)];
    await hears('filed under a movie', film, () => library.attachFile(movie._id, film));
    await hears('filed as an episode', episode, () =>
      library.attachFiles(show._id, [{ fileId: episode, placement: { season: 1, episodes: [1] } }]),
    );
    await hears('new stills', film, () =>
      library.setFileArtifacts(film, { screenshots: [{ ref: 'shots/news.webp', size: 10 }] }),
    );
    await hears('a sidecar subtitle', film, () =>
      library.addExternalSubtitle(film, {
        codec: 'subrip',
        language: 'eng',
        vtt: { ref: 'subs/news.vtt', size: 5 },
        external: { part: { ref: 'subs/news.srt', size: 6 }, sha256: 'cd'.repeat(32), name: 'news.srt' },
      }),
    );
    await hears('a WebVTT made on demand', film, () =>
      library.rememberSubtitleVtt(film, 0, { ref: 'subs/news-0.vtt', size: 5 }),
    );
  });

  it('refuses to attach to unknown titles or files', async () => {
    const title = await library.upsertSkeleton({ kind: 'movie', name: 'Known', year: 2000 });
    await assert.rejects(
      library.attachFile(new Types.ObjectId(), await createMediaFile(server.app)),
      /No title/,
    );
    await assert.rejects(library.attachFile(title._id, new Types.ObjectId()), /No file/);
  });

  it('pages a title’s comments newest first, with the total on every page', async () => {
    const title = await library.upsertSkeleton({ kind: 'movie', name: 'Talked About', year: 2001 });
    const comments = server.app.get(CommentService);
    const author = { kind: 'guest', id: 'guest:pager', name: 'Pager', via: 'cookie' } as const;
    for (let i = 1; i <= 5; i++) await comments.add(title._id, author, `comment ${i}`);
    const page = async (n: number, size: number) => {
      const { items, total } = await comments.list(title._id, n, size);
      return { bodies: items.map((c) => c.body), total };
    };
    assert.deepEqual(await page(1, 2), { bodies: ['comment 5', 'comment 4'], total: 5 });
    assert.deepEqual(await page(3, 2), { bodies: ['comment 1'], total: 5 });
    assert.deepEqual(await page(4, 2), { bodies: [], total: 5 });
    assert.deepEqual(await page(1, 5), {
      bodies: ['comment 5', 'comment 4', 'comment 3', 'comment 2', 'comment 1'],
      total: 5,
    });
    assert.deepEqual(await page(1, 50), { bodies: (await page(1, 5)).bodies, total: 5 });
    assert.deepEqual(await comments.listOfKnownTitle(new Types.ObjectId(), 1, 50), {
      items: [],
      page: 1,
      pageSize: 50,
      total: 0,
    });
    await assert.rejects(comments.list(new Types.ObjectId(), 1, 50), /No title/);
  });
});
