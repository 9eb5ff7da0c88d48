import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { after, before, describe, it, mock } from 'node:test';
import { LibraryService } from '../../src/library/library.service.js';
import { StreamService } from '../../src/stream/stream.service.js';
import { Types } from 'mongoose';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { startFixtureServer, videoPage } from '../support/fixture-server.js';
import { TestClient } from '../support/http.js';
import { startInProcessApp, type InProcessApp, signInAdmin } from '../support/in-process-app.js';
import { tempDir, testVideo } from '../support/media.js';
import { MEDIA_STORE, type MediaStore } from '../../src/core/storage/media-store.js';
import { topLevelBoxes } from '../../src/ingest/processing/mp4-atoms.js';
import { IngestTaskRepository } from '../../src/ingest/ingest-task.repository.js';

const run = promisify(execFile);

describe('ingest: a link becomes a playable library entry', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let fixture: Awaited<ReturnType<typeof startFixtureServer>>;
  let slowFixture: Awaited<ReturnType<typeof startFixtureServer>>;
  let lateFixture: Awaited<ReturnType<typeof startFixtureServer>>;
  /** Content no other test ingests, served under two names. */
  let mirror: Awaited<ReturnType<typeof startFixtureServer>>;
  let mkvFixture: Awaited<ReturnType<typeof startFixtureServer>>;
  let mkvBytes: Buffer;
  const late = testVideo(2, undefined, { faststart: false });
  let admin: TestClient;
  const video = testVideo(2);

  before(async () => {
    db = await startTestDatabase();
    fixture = await startFixtureServer({
      body: video.bytes,
      pages: { '/watch/page.html': videoPage('Embedded Clip', '/media/embedded.mp4') },
    });
    slowFixture = await startFixtureServer({ body: video.bytes, throttle: 32 * 1024 });
    lateFixture = await startFixtureServer({ body: late.bytes });
    mirror = await startFixtureServer({ body: testVideo(3, undefined, { pattern: 'testsrc2' }).bytes });
    const mkvSource = testVideo(4, undefined, { pattern: 'testsrc2', size: '320x240' });
    const mkvPath = join(tempDir('sv-mkv-'), 'episode.mkv');
    await run('ffmpeg', ['-v', 'error', '-i', mkvSource.path, '-c', 'copy', mkvPath]);
    mkvBytes = readFileSync(mkvPath);
    mkvFixture = await startFixtureServer({ body: mkvBytes });
    server = await startInProcessApp({
      MONGODB_URI: db.uri,
      ROLE: 'all',
      INGEST_ALLOW_HOSTS: [fixture, slowFixture, lateFixture, mirror, mkvFixture]
        .map((f) => `127.0.0.1:${f.port}`)
        .join(','),
    });
    admin = await signInAdmin(server);
  });
  after(async () => {
    await server?.close();
    await fixture?.close();
    await slowFixture?.close();
    await lateFixture?.close();
    await mirror?.close();
    await mkvFixture?.close();
    await db?.stop();
  });

  const waitFor = (taskId: string, state: string) =>
    eventually(
      async () => (await admin.get(`/api/ingest/${taskId}`)).body,
      // "done" counts once the stills and sample (made after the file is playable) are in too.
      (task) => (task.state === state && !task.stillsPending) || task.state === 'failed',
      { timeoutMs: 60000, intervalMs: 200, what: `task ${taskId} ${state}` },
    );

  it('downloads, probes, stores and files an episode that then streams byte-exact', async () => {
    const submitted = await admin.post('/api/ingest', {
      url: fixture.url('/Some.Upload.mp4'),
      hint: 'Test Pattern S01E02',
    });
    assert.equal(submitted.status, 202, JSON.stringify(submitted.body));
    const taskId = String(submitted.body.taskId);
    const task = await waitFor(taskId, 'done');
    assert.equal(task.state, 'done', String(task.error));
    assert.equal(task.engine, 'direct');
    assert.equal(task.fileName, 'Some.Upload.mp4');

    const [fileId] = task.fileIds as string[];
    const title = await server.app.get(LibraryService).requireTitle(new Types.ObjectId(String(task.titleId)));
    assert.equal(title.name, 'Test Pattern');
    assert.equal(title.kind, 'series');
    assert.deepEqual(
      title.seasons.map((s) => [s.number, s.episodes.map((e) => [e.number, e.fileIds.map(String)])]),
      [[1, [[2, [fileId]]]]],
    );

    const file = await server.app.get(LibraryService).requireFile(new Types.ObjectId(fileId));
    assert.equal(file.mime, 'video/mp4');
    assert.ok(Math.abs((file.duration ?? 0) - 2) < 0.2);
    assert.equal(file.streams.video[0].codec, 'h264');
    const link = server.app
      .get(StreamService)
      .sign(file)
      .url.replace(server.config.http.publicUrl, server.url);
    assert.ok(Buffer.from(await (await fetch(link)).arrayBuffer()).equals(video.bytes));

    assert.equal(file.screenshots.length, 3);
    assert.ok(file.sample, 'a sample clip');
    const stillLink = server.app.get(StreamService).signPath(['media', fileId, 'screenshots', '1']).url;
    const still = await fetch(stillLink.replace(server.config.http.publicUrl, server.url));
    assert.equal(still.headers.get('content-type'), 'image/webp');
    assert.equal(
      Buffer.from(await still.arrayBuffer())
        .subarray(8, 12)
        .toString(),
      'WEBP',
    );
    const store = server.app.get<MediaStore>(MEDIA_STORE);
    const sample = Buffer.concat(await store.read([file.sample!], 0, file.sample!.size - 1).toArray());
    assert.equal(sample.subarray(4, 8).toString(), 'ftyp', 'the sample is an MP4');
    assert.equal(existsSync(join(server.config.dataDir, 'downloads', taskId)), false, 'sandbox removed');
  });

  it('ingests an MKV episode (Matroska, no faststart) into its season and episode, streaming byte-exact', async () => {
    const submitted = await admin.post('/api/ingest', {
      url: mkvFixture.url('/Night.Harbour.S03E07.720p.WEB.mkv'),
    });
    const task = await waitFor(String(submitted.body.taskId), 'done');
    assert.equal(task.state, 'done', String(task.error));
    const library = server.app.get(LibraryService);
    const title = await library.requireTitle(new Types.ObjectId(String(task.titleId)));
    assert.equal(title.name, 'Night Harbour');
    assert.equal(title.kind, 'series');
    const [fileId] = task.fileIds as string[];
    assert.deepEqual(
      title.seasons.map((s) => [s.number, s.episodes.map((e) => [e.number, e.fileIds.map(String)])]),
      [[3, [[7, [fileId]]]]],
    );
    const file = await library.requireFile(new Types.ObjectId(fileId));
    assert.equal(file.mime, 'video/x-matroska');
    assert.equal(file.screenshots.length, 3);
    assert.ok(file.sample, 'a sample clip');
    const link = server.app
      .get(StreamService)
      .sign(file)
      .url.replace(server.config.http.publicUrl, server.url);
    assert.ok(Buffer.from(await (await fetch(link)).arrayBuffer()).equals(mkvBytes), 'stored unchanged');
  });

  it('reuses a stored file with identical content instead of uploading it again', async () => {
    const ingest = async (name: string) => {
      const submitted = await admin.post('/api/ingest', { url: mirror.url(`/${name}`) });
      assert.equal(submitted.status, 202, JSON.stringify(submitted.body));
      return waitFor(String(submitted.body.taskId), 'done');
    };
    const first = await ingest('Mirror.One.2015.mp4');
    assert.equal(first.state, 'done', String(first.error));
    assert.equal(first.reused, false);
    const second = await ingest('Mirror.Two.Copy.2015.mp4');
    assert.equal(second.state, 'done', String(second.error));
    assert.equal(second.reused, true);
    assert.deepEqual(second.fileIds, first.fileIds);
    assert.equal(second.titleId, first.titleId);
    const stored = readdirSync(join(server.config.dataDir, 'media'), { recursive: true }).map(String);
    assert.equal(stored.filter((path) => path.endsWith('Mirror.One.2015.mp4')).length, 1);
    assert.equal(stored.filter((path) => path.includes('Mirror.Two')).length, 0, 'nothing uploaded twice');
  });

  it('falls back to yt-dlp when the link is a web page, which finds the video in it', async () => {
    const submitted = await admin.post('/api/ingest', {
      url: fixture.url('/watch/page.html'),
      hint: 'Embedded Clip 2020',
    });
    const task = await waitFor(String(submitted.body.taskId), 'done');
    assert.equal(task.state, 'done', String(task.error));
    assert.equal(task.engine, 'ytdlp');
    const file = await server.app
      .get(LibraryService)
      .requireFile(new Types.ObjectId((task.fileIds as string[])[0]));
    assert.equal(file.size, video.bytes.length);
    assert.ok(
      fixture.requests.some((r) => r.url === '/media/embedded.mp4'),
      'yt-dlp fetched the embedded video',
    );
  });

  it('rewrites an MP4 whose index is at the end so it starts playing at once (faststart)', async () => {
    const boxes = async (path: string) =>
      (await topLevelBoxes(path)).filter((box) => box === 'moov' || box === 'mdat');
    assert.deepEqual(await boxes(late.path), ['mdat', 'moov']);
    const submitted = await admin.post('/api/ingest', { url: lateFixture.url('/Late.Index.2019.mp4') });
    const task = await waitFor(String(submitted.body.taskId), 'done');
    assert.equal(task.state, 'done', String(task.error));
    const file = await server.app
      .get(LibraryService)
      .requireFile(new Types.ObjectId((task.fileIds as string[])[0]));
    const bytes = Buffer.concat(
      await server.app
        .get<MediaStore>(MEDIA_STORE)
        .read(file.storage.parts, 0, file.size - 1)
        .toArray(),
    );
    const stored = join(tempDir('sv-faststart-'), 'stored.mp4');
    writeFileSync(stored, bytes);
    assert.deepEqual(await boxes(stored), ['moov', 'mdat']);
    assert.equal(file.size, bytes.length);
  });

  it('answers a second submission of an active source with the same task, and shows live progress', async () => {
    const url = slowFixture.url('/slow.mp4');
    const first = await admin.post('/api/ingest', { url });
    const second = await admin.post('/api/ingest', { url });
    assert.equal(second.body.taskId, first.body.taskId);
    assert.equal(second.body.existing, true);
    const downloading = await eventually(
      async () => (await admin.get(`/api/ingest/${String(first.body.taskId)}`)).body,
      (task) =>
        task.state === 'downloading' && ((task.progress as { bytesDone: number } | null)?.bytesDone ?? 0) > 0,
      { timeoutMs: 20000, intervalMs: 100, what: 'progress while downloading' },
    );
    const progress = downloading.progress as { bytesDone: number; bytesTotal: number; speed: number };
    assert.equal(progress.bytesTotal, video.bytes.length);
    assert.ok(progress.speed > 0);
  });

  it('cancels a running download within 2 s and removes its sandbox', async () => {
    const submitted = await admin.post('/api/ingest', { url: slowFixture.url('/to-cancel.mp4') });
    const taskId = String(submitted.body.taskId);
    await waitFor(taskId, 'downloading');
    const sandbox = join(server.config.dataDir, 'downloads', taskId);
    assert.ok(existsSync(sandbox), 'the download has started writing');
    const cancelled = await admin.delete(`/api/ingest/${taskId}`);
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.body.state, 'cancelled');
    await eventually(
      async () => existsSync(sandbox),
      (exists) => !exists,
      { timeoutMs: 2000, what: 'sandbox removed' },
    );
    assert.equal((await admin.get(`/api/ingest/${taskId}`)).body.state, 'cancelled');
    assert.equal((await admin.delete(`/api/ingest/${taskId}`)).status, 409);
  });

  it('sweeps sandboxes of tasks that are no longer active, keeping active ones', async () => {
    const { SandboxSweeper } = await import('../../src/ingest/sandbox-sweeper.js');
    const root = join(server.config.dataDir, 'downloads');
    const stale = join(root, '00000000-0000-4000-8000-000000000000');
    const junk = join(root, 'not-a-task');
    mkdirSync(stale, { recursive: true });
    mkdirSync(junk, { recursive: true });
    const removed = await server.app.get(SandboxSweeper).sweep();
    assert.ok(removed.includes('00000000-0000-4000-8000-000000000000'));
    assert.equal(existsSync(stale) || existsSync(junk), false);
  });

  it('sweeps every 10 minutes too: a task cancelled while waiting to be retried loses its sandbox, an active one keeps it', async () => {
    const { SandboxSweeper, SANDBOX_SWEEP_EVERY_MS } = await import('../../src/ingest/sandbox-sweeper.js');
    const tasks = server.app.get(IngestTaskRepository);
    const root = join(server.config.dataDir, 'downloads');
    // A worker's own sweeper, on a clock the test moves (the app's runs on the real one).
    mock.timers.enable({ apis: ['setInterval'] });
    const sweeper = new SandboxSweeper(server.config, tasks);
    try {
      const bootJunk = join(root, 'left-before-boot');
      mkdirSync(bootJunk, { recursive: true });
      sweeper.onApplicationBootstrap();
      await eventually(
        async () => existsSync(bootJunk),
        (exists) => !exists,
        { timeoutMs: 5000, what: 'the boot sweep' },
      );
      // Two tasks no worker is running: one whose job waits out its retry backoff with a partial
      // download in its sandbox, cancelled meanwhile; one still waiting (active).
      const requester = { id: 'sweep-tester', name: 'Sweep Tester' };
      const [waiting, cancelled] = await Promise.all(
        ['waiting', 'cancelled'].map((name) =>
          tasks.insert({
            _id: randomUUID(),
            source: fixture.url(`/${name}.mp4`),
            sourceKey: `sweep-test:${name}`,
            sourceKind: 'http',
            requester,
          }),
        ),
      );
      assert.equal((await admin.delete(`/api/ingest/${cancelled._id}`)).body.state, 'cancelled');
      for (const task of [waiting, cancelled]) {
        mkdirSync(join(root, task._id), { recursive: true });
        writeFileSync(join(root, task._id, 'partial.mp4'), Buffer.alloc(1024));
      }

      mock.timers.tick(SANDBOX_SWEEP_EVERY_MS);
      await eventually(
        async () => existsSync(join(root, cancelled._id)),
        (exists) => !exists,
        { timeoutMs: 5000, what: "the cancelled task's sandbox swept" },
      );
      await sweeper.onApplicationShutdown();
      assert.ok(existsSync(join(root, waiting._id, 'partial.mp4')), 'an active task keeps its sandbox');
      await admin.delete(`/api/ingest/${waiting._id}`);
    } finally {
      await sweeper.onApplicationShutdown();
      mock.timers.reset();
    }
  });

  it('refuses a host outside INGEST_ALLOW_HOSTS that resolves to loopback', async () => {
    const refused = await admin.post('/api/ingest', { url: 'http://127.0.0.1:9/x.mp4' });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error, 'source_refused');
    assert.match(String(refused.body.message), /127\.0\.0\.1, a loopback address/);
  });

  it('refuses hostile and unsupported sources with 400 and a reason', async () => {
    for (const [url, reason] of [
      ['http://169.254.169.254/latest/meta-data/', /linkLocal/],
      ['http://10.0.0.1/x.mkv', /private/],
      ['file:///etc/passwd', /file: links are not allowed/],
      ['magnet:?dn=no.hash.here', /no info hash/],
      ['gopher://example.org/1', /gopher: links are not allowed/],
    ] as const) {
      const res = await admin.post('/api/ingest', { url });
      assert.equal(res.status, 400, url);
      assert.equal(res.body.error, 'source_refused');
      assert.match(String(res.body.message), reason);
    }
  });

  it('takes a magnet link (aria2), treats the same info hash as the same task, and cancels it', async () => {
    const hash = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a';
    const tracker = (url: string) => `&tr=${encodeURIComponent(url)}`;
    const first = await admin.post('/api/ingest', {
      url: `magnet:?xt=urn:btih:${hash}&dn=one${tracker('http://tracker.example/announce')}`,
    });
    assert.equal(first.status, 202);
    // Same torrent, other trackers, base32 spelling of the hash: still the same source.
    const base32 = 'YEX6DQDLXISUVHOJ6UM3GNNKPQJWPKEK';
    const again = await admin.post('/api/ingest', {
      url: `magnet:?xt=urn:btih:${base32}${tracker('udp://x.example:1')}${tracker('https://other.example/a')}`,
    });
    assert.deepEqual(again.body, { taskId: first.body.taskId, existing: true });
    const cancelled = await admin.delete(`/api/ingest/${String(first.body.taskId)}`);
    assert.equal(cancelled.body.state, 'cancelled');
    // A worker step that read the task just before the cancel cannot bring it back.
    const tasks = server.app.get(IngestTaskRepository);
    assert.equal(await tasks.advance(String(first.body.taskId), {}, 'downloading'), false);
    assert.equal((await tasks.findById(String(first.body.taskId)))?.state, 'cancelled');
  });

  it('refuses a magnet it could never find peers for (udp:// trackers only, DHT off) with the setting to change', async () => {
    const udpOnly = `magnet:?xt=urn:btih:${'d'.repeat(40)}&dn=udp.only&tr=${encodeURIComponent('udp://tracker.example:1337/announce')}`;
    const refused = await admin.post('/api/ingest', { url: udpOnly });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error, 'source_refused');
    assert.match(String(refused.body.message), /only udp:\/\/ trackers.*INGEST_TORRENT_DIRECT=dht/s);
    const trackerless = await admin.post('/api/ingest', { url: `magnet:?xt=urn:btih:${'e'.repeat(40)}` });
    assert.equal(trackerless.status, 400);
    assert.match(String(trackerless.body.message), /no http\(s\) tracker/);
  });

  it('records a readable failure, and a retry resumes', async () => {
    const submitted = await admin.post('/api/ingest', { url: fixture.url('/missing') });
    const task = await waitFor(String(submitted.body.taskId), 'failed');
    assert.equal(task.state, 'failed');
    assert.match(String(task.error), /404/);
    const retried = await admin.post(`/api/ingest/${String(task.taskId)}/retry`);
    assert.equal(retried.status, 202);
    assert.equal(retried.body.state, 'queued');
  });

  it('is for admins and uploaders only, and validates ids', async () => {
    const guest = new TestClient(server.url);
    await guest.get('/api/titles');
    assert.equal((await guest.post('/api/ingest', { url: fixture.url() })).status, 401);
    assert.equal((await admin.get('/api/ingest/not-a-task')).status, 400);
    assert.equal((await admin.get('/api/ingest/00000000-0000-0000-0000-000000000000')).status, 404);
    assert.equal((await admin.post('/api/ingest', { url: fixture.url(), extra: 1 })).status, 400);
  });
});
