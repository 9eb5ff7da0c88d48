import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Types } from 'mongoose';
import { LibraryService } from '../../src/library/library.service.js';
import { type Title } from '../../src/library/schemas/title.schema.js';
import { StreamService } from '../../src/stream/stream.service.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { playlistPage, startFixtureServer } from '../support/fixture-server.js';
import { type TestClient } from '../support/http.js';
import { type InProcessApp, signInAdmin, startInProcessApp } from '../support/in-process-app.js';
import { tempDir, testVideo } from '../support/media.js';
import { freePort, makeMultiFileTorrent, startSeeder, startTracker } from '../support/torrent.js';
import { makeZip, type ZipEntry } from '../support/zip.js';

const MAX_ITEMS = 20;

function srt(text: string): Buffer {
  return Buffer.from(`1\n00:00:00,000 --> 00:00:01,000\n${text}\n\n2\n00:00:01,000 --> 00:00:02,000\nmore\n`);
}

/**
 * A season pack as release groups share it: three episodes, two sidecar subtitles, a sample clip and
 * release notes. `seed` makes the videos' content differ between packs (content is reused otherwise).
 */
function seasonPack(show: string, seed: number): { path: string; content: Buffer }[] {
  const dir = tempDir('sv-pack-');
  const video = (seconds: number) =>
    testVideo(seconds, dir, { size: `${160 + seed * 16}x${120 + seed * 8}` }).bytes;
  const dotted = show.replace(/ /g, '.');
  return [
    { path: `${dotted}.S01E01.720p.WEB.mp4`, content: video(3) },
    { path: `${dotted}.S01E01.720p.WEB.en.srt`, content: srt(`Hello from ${show} one`) },
    { path: `${dotted}.S01E02.720p.WEB.mp4`, content: video(4) },
    { path: `${dotted}.S01E02.720p.WEB.French.srt`, content: srt(`Bonjour de ${show} deux`) },
    { path: `${dotted}.S01E03.720p.WEB.mp4`, content: video(5) },
    { path: `Sample/${dotted.toLowerCase()}.s01e01.sample.mp4`, content: video(1) },
    { path: `${dotted}.S01.720p.WEB.nfo`, content: Buffer.from(`${show} season 1\nRelease notes.\n`) },
  ];
}

/** A server whose answer can be changed between requests (a fixed archive after a broken one). */
async function startSwitchableServer(body: Buffer) {
  let current = body;
  let requests = 0;
  const server: Server = createServer((_req, res) => {
    requests++;
    res.writeHead(200, { 'content-type': 'application/zip', 'content-length': current.length });
    res.end(current);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    serve: (next: Buffer) => (current = next),
    requests: () => requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface ItemView {
  name: string;
  kind: string;
  state: string;
  error: string | null;
  note: string | null;
  language: string | null;
  fileId: string | null;
}

describe('ingest of packs: one source, many items, a processor per media kind', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let admin: TestClient;
  let tracker: Awaited<ReturnType<typeof startTracker>>;
  let seeder: ReturnType<typeof startSeeder>;
  let torrentFile: Awaited<ReturnType<typeof startFixtureServer>>;
  let bigTorrentFile: Awaited<ReturnType<typeof startFixtureServer>>;
  let archives: Awaited<ReturnType<typeof startSwitchableServer>>;
  const zips = new Map<string, Buffer>();
  /** Web pages served beside the zips (what yt-dlp lists). */
  const pages = new Map<string, string>();
  let zipServer: Server;
  let zipPort: number;

  before(async () => {
    db = await startTestDatabase();
    // The torrent: a folder with the season pack, seeded by a local aria2c through a local tracker.
    const seederPort = await freePort();
    tracker = await startTracker(seederPort);
    const seedDir = tempDir('sv-pack-seed-');
    const folder = 'Harbor.Lights.S01.720p.WEB';
    const files = seasonPack('Harbor Lights', 1);
    for (const file of files) {
      mkdirSync(dirname(join(seedDir, folder, file.path)), { recursive: true });
      writeFileSync(join(seedDir, folder, file.path), file.content);
    }
    const made = makeMultiFileTorrent(folder, files, tracker.announce);
    writeFileSync(join(seedDir, 'pack.torrent'), made.torrent);
    seeder = startSeeder(join(seedDir, 'pack.torrent'), seedDir, seederPort);
    torrentFile = await startFixtureServer({
      body: made.torrent,
      headers: { 'content-type': 'application/x-bittorrent' },
    });
    // Over INGEST_MAX_ITEMS: refused from its file list, before a byte of it is asked for.
    const many = Array.from({ length: MAX_ITEMS + 5 }, (_, n) => ({
      path: `Many.Files.E${n + 1}.mkv`,
      content: randomBytes(100),
    }));
    bigTorrentFile = await startFixtureServer({
      body: makeMultiFileTorrent('Many.Files', many, tracker.announce).torrent,
      headers: { 'content-type': 'application/x-bittorrent' },
    });
    archives = await startSwitchableServer(Buffer.alloc(0));
    zipServer = createServer((req, res) => {
      const page = pages.get(req.url ?? '');
      if (page) return void res.writeHead(200, { 'content-type': 'text/html' }).end(page);
      const body = zips.get(req.url ?? '');
      if (!body) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/zip', 'content-length': body.length }).end(body);
    });
    await new Promise<void>((resolve) => zipServer.listen(0, '127.0.0.1', resolve));
    zipPort = (zipServer.address() as AddressInfo).port;
    server = await startInProcessApp({
      MONGODB_URI: db.uri,
      ROLE: 'all',
      INGEST_MAX_ITEMS: String(MAX_ITEMS),
      INGEST_ALLOW_HOSTS: [torrentFile.port, bigTorrentFile.port, tracker.port, archives.port, zipPort]
        .map((port) => `127.0.0.1:${port}`)
        .join(','),
    });
    admin = await signInAdmin(server);
  });
  after(async () => {
    await server?.close();
    await seeder?.stop();
    await Promise.all([torrentFile?.close(), bigTorrentFile?.close(), tracker?.close(), archives?.close()]);
    await new Promise<void>((resolve) => (zipServer ? zipServer.close(() => resolve()) : resolve()));
    await db?.stop();
  });

  const library = () => server.app.get(LibraryService);
  const zipUrl = (name: string, entries: ZipEntry[]) => {
    zips.set(`/${name}`, makeZip(entries));
    return `http://127.0.0.1:${zipPort}/${name}`;
  };
  const submit = async (url: string, hint?: string) => {
    // Making a pack's videos can leave the client's keep-alive socket idle until the server drops it;
    // a reset before any answer is retried (submitting the same link again gives the same task).
    const post = () => admin.post('/api/ingest', { url, hint });
    const submitted = await post().catch((error: Error) => {
      if ((error.cause as { code?: string } | undefined)?.code !== 'ECONNRESET') throw error;
      return post();
    });
    assert.equal(submitted.status, 202, JSON.stringify(submitted.body));
    return String(submitted.body.taskId);
  };
  const finished = (taskId: string) =>
    eventually(
      async () => (await admin.get(`/api/ingest/${taskId}`)).body,
      (task) => (task.state === 'done' && !task.stillsPending) || task.state === 'failed',
      { timeoutMs: 90000, intervalMs: 200, what: `task ${taskId} finished` },
    );
  const itemsOf = (task: Record<string, unknown>) => task.items as ItemView[];
  const item = (task: Record<string, unknown>, pattern: RegExp) => {
    const found = itemsOf(task).find((i) => pattern.test(i.name));
    assert.ok(
      found,
      `an item named like ${pattern}: ${itemsOf(task)
        .map((i) => i.name)
        .join(', ')}`,
    );
    return found;
  };
  const episodesOf = (title: Title) =>
    title.seasons.map((s) => [s.number, s.episodes.map((e) => [e.number, e.fileIds.length])]);

  async function webVtt(fileId: string, track: number): Promise<Response> {
    const link = server.app.get(StreamService).signPath(['subtitles', fileId, `${track}.vtt`]).url;
    return fetch(link.replace(server.config.http.publicUrl, server.url));
  }

  /** One series, three episodes in season 1, subtitles served as WebVTT, sample and NFO skipped. */
  async function assertSeasonPack(task: Record<string, unknown>, show: string): Promise<void> {
    assert.equal(task.state, 'done', String(task.error));
    assert.deepEqual(task.itemCounts, {
      total: 7,
      done: 5,
      failed: 0,
      skipped: 2,
      unsupported: 0,
      active: 0,
    });
    const title = await library().requireTitle(new Types.ObjectId(String(task.titleId)));
    assert.equal(title.name, show);
    assert.equal(title.kind, 'series');
    assert.deepEqual(episodesOf(title), [
      [
        1,
        [
          [1, 1],
          [2, 1],
          [3, 1],
        ],
      ],
    ]);
    assert.equal((task.fileIds as string[]).length, 3);
    assert.match(String(item(task, /sample/i).error), /sample clip/);
    assert.equal(item(task, /sample/i).state, 'skipped');
    assert.match(String(item(task, /\.nfo$/).error), /release notes/);

    const english = item(task, /E01.*\.en\.srt$/);
    assert.equal(english.state, 'done', String(english.error));
    assert.equal(english.language, 'en');
    const episode1 = item(task, /E01.*\.mp4$/);
    assert.equal(english.fileId, episode1.fileId);
    const file = await library().requireFile(new Types.ObjectId(String(episode1.fileId)));
    const position = file.streams.subtitles.findIndex((track) => track.external);
    assert.ok(position >= 0, 'the sidecar is a track of the episode');
    assert.equal(file.streams.subtitles[position].language, 'en');
    const vtt = await webVtt(String(episode1.fileId), position);
    assert.equal(vtt.status, 200);
    assert.match(String(vtt.headers.get('content-type')), /text\/vtt/);
    const text = await vtt.text();
    assert.match(text, /^WEBVTT/);
    assert.match(text, new RegExp(`Hello from ${show} one`));

    const french = item(task, /E02.*French\.srt$/);
    assert.equal(french.language, 'fr');
    const frenchVtt = await webVtt(String(french.fileId), 0);
    assert.match(await frenchVtt.text(), new RegExp(`Bonjour de ${show} deux`));
  }

  it('files a season-pack torrent (aria2, local seeder): one series, 3 episodes, subtitles as WebVTT', async () => {
    const task = await finished(await submit(torrentFile.url('/Harbor.Lights.S01.torrent')));
    assert.equal(task.engine, 'aria2');
    await assertSeasonPack(task, 'Harbor Lights');
  });

  it('gives the same result for the same kind of pack as a zip over HTTP', async () => {
    const entries = seasonPack('Quiet Bay', 2).map(({ path, content }) => ({
      name: `Quiet.Bay.S01.720p.WEB/${path}`,
      content,
    }));
    const task = await finished(await submit(zipUrl('Quiet.Bay.S01.720p.WEB.zip', entries)));
    assert.equal(task.engine, 'direct');
    await assertSeasonPack(task, 'Quiet Bay');
  });

  it('files a season pack whose files name only their episode into the season its folders name', async () => {
    const dir = tempDir('sv-season-');
    const video = (n: number) => testVideo(2, dir, { size: `${96 + n * 16}x96` }).bytes;
    const season1 = await finished(
      await submit(
        zipUrl('Lantern.Row.S01.zip', [
          { name: 'Lantern.Row.S01E01.mp4', content: video(1) },
          { name: 'Lantern.Row.S01E02.mp4', content: video(2) },
        ]),
      ),
    );
    assert.equal(season1.state, 'done', String(season1.error));
    const titleId = new Types.ObjectId(String(season1.titleId));
    const season1Files = async () =>
      (await library().requireTitle(titleId)).seasons
        .filter((s) => s.number === 1)
        .flatMap((s) => s.episodes.map((e) => [e.number, e.fileIds.map(String)]));
    const before = await season1Files();
    assert.equal(before.length, 2);

    // The user says which season; the files, in a folder that says it too, give only the episode.
    const season2 = await finished(
      await submit(
        zipUrl('lantern-row-2.zip', [
          { name: 'Lantern Row S02/Lantern Row - 01.mp4', content: video(3) },
          { name: 'Lantern Row S02/Lantern Row - 02.mp4', content: video(4) },
        ]),
        'Lantern Row S02',
      ),
    );
    assert.equal(season2.state, 'done', String(season2.error));
    assert.equal(String(season2.titleId), String(titleId), 'the same show');
    assert.deepEqual(episodesOf(await library().requireTitle(titleId)), [
      [
        1,
        [
          [1, 1],
          [2, 1],
        ],
      ],
      [
        2,
        [
          [1, 1],
          [2, 1],
        ],
      ],
    ]);
    const filed = await library().requireFile(new Types.ObjectId(String(itemsOf(season2)[0].fileId)));
    assert.equal(filed.season, 2);
    // No hint: `Season 2/` names the season, the folder above it the show.
    const folders = await finished(
      await submit(
        zipUrl('lantern-row-more.zip', [
          { name: 'Lantern Row/Season 2/Episode 03.mp4', content: video(5) },
          { name: 'Lantern Row/Season 2/Episode 04.mp4', content: video(6) },
        ]),
      ),
    );
    assert.equal(folders.state, 'done', String(folders.error));
    assert.equal(String(folders.titleId), String(titleId), 'the show named by the folder');

    const title = await library().requireTitle(titleId);
    assert.deepEqual(episodesOf(title), [
      [
        1,
        [
          [1, 1],
          [2, 1],
        ],
      ],
      [
        2,
        [
          [1, 1],
          [2, 1],
          [3, 1],
          [4, 1],
        ],
      ],
    ]);
    assert.deepEqual(await season1Files(), before, 'season 1 untouched');
  });

  it('keeps going past a corrupt episode (2 done, 1 failed), and retry re-runs only that one', async () => {
    const pack = seasonPack('Broken Dock', 3).filter(
      ({ path }) => /\.mp4$/.test(path) && !/ample/.test(path),
    );
    const broken = pack.map((file, n) => (n === 1 ? { ...file, content: randomBytes(300 * 1024) } : file));
    const toZip = (files: typeof pack) =>
      makeZip(files.map(({ path, content }) => ({ name: path, content })));
    archives.serve(toZip(broken));
    const taskId = await submit(archives.url('/Broken.Dock.S01.zip'));
    const first = await finished(taskId);
    assert.equal(first.state, 'done', String(first.error));
    assert.deepEqual(first.itemCounts, {
      total: 3,
      done: 2,
      failed: 1,
      skipped: 0,
      unsupported: 0,
      active: 0,
    });
    const failed = item(first, /E02/);
    assert.equal(failed.state, 'failed');
    assert.match(String(failed.error), /not a readable video: ffprobe: /);
    assert.doesNotMatch(String(failed.error), /downloads\//, "the worker's sandbox path is not shown");
    const doneBefore = itemsOf(first).filter((i) => i.state === 'done');

    archives.serve(toZip(pack)); // the uploader fixed the episode
    const retried = await admin.post(`/api/ingest/${taskId}/retry`);
    assert.equal(retried.status, 202, JSON.stringify(retried.body));
    const second = await finished(taskId);
    assert.equal(second.state, 'done', String(second.error));
    assert.deepEqual(second.itemCounts, {
      total: 3,
      done: 3,
      failed: 0,
      skipped: 0,
      unsupported: 0,
      active: 0,
    });
    for (const before of doneBefore) {
      assert.equal(
        item(second, new RegExp(before.name.replace(/\./g, '\\.'))).fileId,
        before.fileId,
        'not redone',
      );
    }
    const stored = readdirSync(join(server.config.dataDir, 'media'), { recursive: true }).map(String);
    for (const episode of ['E01', 'E02', 'E03']) {
      const copies = stored.filter((path) => path.endsWith(`Broken.Dock.S01${episode}.720p.WEB.mp4`));
      assert.equal(copies.length, 1, `${episode} stored once: ${copies.join(', ')}`);
    }
    const title = await library().requireTitle(new Types.ObjectId(String(second.titleId)));
    assert.deepEqual(episodesOf(title), [
      [
        1,
        [
          [1, 1],
          [2, 1],
          [3, 1],
        ],
      ],
    ]);
  });

  it('stores content once when two tasks with identical content run at the same time', async () => {
    const bytes = testVideo(3, undefined, { size: '240x160' }).bytes;
    const one = zipUrl('Twin.Copy.One.2020.zip', [{ name: 'Twin.Film.2020.mp4', content: bytes }]);
    const two = zipUrl('Twin.Copy.Two.2020.zip', [{ name: 'Twin.Film.2020.mp4', content: bytes }]);
    const [a, b] = await Promise.all([submit(one), submit(two)]);
    const [first, second] = await Promise.all([finished(a), finished(b)]);
    assert.equal(first.state, 'done', String(first.error));
    assert.equal(second.state, 'done', String(second.error));
    assert.deepEqual(first.fileIds, second.fileIds, 'both tasks point at one file');
    assert.equal([first.reused, second.reused].filter(Boolean).length, 1, 'one stored, one reused');
    const stored = readdirSync(join(server.config.dataDir, 'media'), { recursive: true }).map(String);
    assert.equal(stored.filter((path) => path.endsWith('Twin.Film.2020.mp4')).length, 1);
  });

  it('refuses a torrent with more files than INGEST_MAX_ITEMS before downloading it', async () => {
    const task = await finished(await submit(bigTorrentFile.url('/Many.Files.torrent')));
    assert.equal(task.state, 'failed');
    assert.match(
      String(task.error),
      new RegExp(`holds ${MAX_ITEMS + 5} files, over the limit of ${MAX_ITEMS}`),
    );
  });

  it('takes a yt-dlp playlist as items, and refuses one over INGEST_MAX_ITEMS before any entry', async () => {
    const videos = [1, 2, 3].map((n) => testVideo(2, undefined, { size: `${128 + n * 16}x96` }).bytes);
    videos.forEach((bytes, n) => zips.set(`/clips/extra-${n + 1}.mp4`, bytes));
    pages.set(
      '/extras.html',
      playlistPage(
        'Harbor Lights Extras',
        ['1', '2', '3'].map((n) => `/clips/extra-${n}.mp4`),
      ),
    );
    const task = await finished(await submit(`http://127.0.0.1:${zipPort}/extras.html`));
    assert.equal(task.state, 'done', String(task.error));
    assert.equal(task.engine, 'ytdlp');
    assert.deepEqual(
      itemsOf(task).map((i) => [i.kind, i.state]),
      [
        ['video', 'done'],
        ['video', 'done'],
        ['video', 'done'],
      ],
    );
    assert.match(itemsOf(task)[0].name, /^001 /, 'entries in playlist order');
    const stored = await Promise.all(
      itemsOf(task).map((i) => library().requireFile(new Types.ObjectId(String(i.fileId)))),
    );
    assert.deepEqual(
      stored.map((file) => file.size),
      videos.map((bytes) => bytes.length),
    );

    const many = Array.from({ length: MAX_ITEMS + 5 }, (_, n) => `/clips/many-${n}.mp4`);
    pages.set('/many.html', playlistPage('Too Many Clips', many));
    const refused = await finished(await submit(`http://127.0.0.1:${zipPort}/many.html`));
    assert.equal(refused.state, 'failed');
    assert.match(
      String(refused.error),
      new RegExp(`holds ${MAX_ITEMS + 5} files, over the limit of ${MAX_ITEMS}`),
    );
  });

  it('reports unsafe archive names per item and writes nothing outside the sandbox', async () => {
    const video = testVideo(2, undefined, { size: '176x144' }).bytes;
    const task = await finished(
      await submit(
        zipUrl('Escape.Artist.2019.zip', [
          { name: 'Escape.Artist.2019.mp4', content: video },
          { name: '../../evil.Escape.S01E01.mp4', content: Buffer.from('not here') },
          { name: '/etc/escape-absolute.mp4', content: Buffer.from('not here either') },
        ]),
      ),
    );
    assert.equal(task.state, 'done', String(task.error));
    assert.match(String(item(task, /evil/).error), /leaving the archive/);
    assert.match(String(item(task, /absolute/).error), /absolute path/);
    assert.equal(
      readdirSync(server.config.dataDir, { recursive: true })
        .map(String)
        .some((path) => path.includes('evil') || path.includes('escape-absolute')),
      false,
    );
  });

  it('fails a pack without media files, saying what it held', async () => {
    const task = await finished(
      await submit(
        zipUrl('Only.Notes.zip', [
          { name: 'Only.Notes.nfo', content: Buffer.from('notes') },
          { name: 'readme.txt', content: Buffer.from('read me') },
        ]),
      ),
    );
    assert.equal(task.state, 'failed');
    assert.match(String(task.error), /holds no media files/);
    assert.deepEqual(
      itemsOf(task).map((i) => i.state),
      ['skipped', 'skipped'],
    );
  });

  it('fails clearly on an archive that is not what it claims, and on a damaged one', async () => {
    zips.set('/Not.Really.zip', Buffer.from('this is plain text, not an archive at all\n'.repeat(20)));
    const plain = await finished(await submit(`http://127.0.0.1:${zipPort}/Not.Really.zip`));
    assert.equal(plain.state, 'failed');
    assert.match(String(plain.error), /not media/);
    const damaged = makeZip([{ name: 'Damaged.Film.2018.mp4', content: randomBytes(64 * 1024) }]).subarray(
      0,
      20_000,
    );
    zips.set('/Damaged.zip', damaged);
    const broken = await finished(await submit(`http://127.0.0.1:${zipPort}/Damaged.zip`));
    assert.equal(broken.state, 'failed');
    assert.match(String(broken.error), /archive could not be unpacked: it is damaged or incomplete/);
  });

  it('keeps two files of one episode as versions, and files a subtitle without a language as "und"', async () => {
    const dir = tempDir('sv-dup-');
    const task = await finished(
      await submit(
        zipUrl('Twice.Told.S01.zip', [
          { name: 'Twice.Told.S01E01.720p.mp4', content: testVideo(2, dir, { size: '192x108' }).bytes },
          {
            name: 'Twice.Told.S01E01.1080p.mp4',
            content: testVideo(3, tempDir('sv-dup-'), { size: '192x108' }).bytes,
          },
          { name: 'Twice.Told.S01E01.720p.srt', content: srt('no language in my name') },
        ]),
      ),
    );
    assert.equal(task.state, 'done', String(task.error));
    const title = await library().requireTitle(new Types.ObjectId(String(task.titleId)));
    assert.deepEqual(episodesOf(title), [[1, [[1, 2]]]]);
    assert.match(String(item(task, /720p\.mp4$/).note), /both kept as versions/);
    const subtitle = item(task, /\.srt$/);
    assert.equal(subtitle.state, 'done', String(subtitle.error));
    assert.equal(subtitle.language, 'und');
    assert.match(String(subtitle.note), /language unknown/);
  });

  it('files audio as music, and reports damaged comics with their reason, beside the video it files', async () => {
    const dir = tempDir('sv-kinds-');
    const tone = join(dir, 'tone.mp3');
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=330:duration=1', tone]);
    const cbz = makeZip([
      {
        name: 'page-001.jpg',
        content: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46]),
      },
    ]);
    const task = await finished(
      await submit(
        zipUrl('Mixed.Bag.2021.zip', [
          { name: 'Mixed.Bag.2021.mp4', content: testVideo(2, dir, { size: '256x144' }).bytes },
          { name: 'Soundtrack/01 - Theme.mp3', content: readFileSync(tone) },
          { name: 'Extras/Artbook.cbz', content: cbz },
          { name: 'Extras/Script.pdf', content: Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n') },
          {
            name: 'poster.jpg',
            content: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46]),
          },
        ]),
      ),
    );
    assert.equal(task.state, 'done', String(task.error));
    assert.deepEqual(
      itemsOf(task).map((i) => [i.name, i.kind, i.state]),
      [
        ['Extras/Artbook.cbz', 'comic', 'failed'],
        ['Extras/Script.pdf', 'comic', 'failed'],
        ['Mixed.Bag.2021.mp4', 'video', 'done'],
        ['poster.jpg', 'image', 'skipped'],
        ['Soundtrack/01 - Theme.mp3', 'audio', 'done'],
      ],
    );
    assert.equal(item(task, /Theme/).note, 'track 1 of "Soundtrack" by Unknown Artist');
    assert.match(String(item(task, /Artbook/).error), /page page-001\.jpg cannot be read as an image/);
    assert.match(String(item(task, /Script/).error), /not a readable PDF/);
  });

  it('refuses a zip bomb by the bytes it unpacks to, not the sizes it declares', async () => {
    const task = await finished(
      await submit(
        zipUrl('Bomb.zip', [
          { name: 'Bomb.S01E01.mkv', content: Buffer.alloc(200 * 1024 * 1024), deflate: true },
        ]),
      ),
    );
    assert.equal(task.state, 'failed');
    assert.match(String(task.error), /unpacks to more than/);
  });
});
