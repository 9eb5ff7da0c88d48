import assert from 'node:assert/strict';
import { existsSync, readdirSync, utimesSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Types } from 'mongoose';
import { MongoConnection } from '../../src/core/database/mongo-connection.js';
import { SettingsService } from '../../src/core/settings/settings.service.js';
import { LocalMediaStore } from '../../src/core/storage/local-media-store.js';
import { MEDIA_STORE, type MediaStore, type StoredPart } from '../../src/core/storage/media-store.js';
import { ArtworkRepository } from '../../src/library/artwork/artwork.repository.js';
import { FileChangeBus } from '../../src/library/file-change.bus.js';
import { MediaFileRepository } from '../../src/library/media-file.repository.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { TestClient } from '../support/http.js';
import { startInProcessApp, type InProcessApp, signInAdmin } from '../support/in-process-app.js';
import { storeFile } from '../support/library-fixtures.js';
import { randomFile, testVideo } from '../support/media.js';
import { postPanelForm } from '../support/panel-form.js';

const TWO_HOURS_AGO = new Date(Date.now() - 2 * 3600 * 1000);

describe('admin explorer: local store objects, orphans and dangling records', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  /** Started once the queued-run checks are done (until then, a queued job stays queued). */
  let worker: InProcessApp | undefined;
  let admin: TestClient;
  let store: MediaStore;
  let onDisk: (part: StoredPart) => string;
  /** Stored but never indexed, old enough to be an orphan. */
  let orphan: StoredPart;
  /** Stored by an ingest task that has not indexed it yet: not an orphan. */
  let inFlight: StoredPart;
  /** Stored a moment ago: may be an upload in progress, not an orphan yet. */
  let fresh: StoredPart;
  let indexedId: string;
  let danglingId: string;
  let videoId: string;

  const put = async (size: number, name: string, mtime?: Date) => {
    const [part] = await store.put(randomFile(size).path, name);
    if (mtime) utimesSync(onDisk(part), mtime, mtime);
    return part;
  };

  before(async () => {
    db = await startTestDatabase();
    server = await startInProcessApp({ MONGODB_URI: db.uri, ROLE: 'manager' });
    admin = await signInAdmin(server);
    store = server.app.get<MediaStore>(MEDIA_STORE);
    onDisk = (part) => join(server.config.dataDir, 'media', part.ref);

    orphan = await put(3000, 'Left.Behind.mkv', TWO_HOURS_AGO);
    inFlight = await put(2000, 'Being.Uploaded.mkv', TWO_HOURS_AGO);
    await server.app
      .get(MongoConnection)
      .connection.collection('ingest_tasks')
      .insertOne({
        _id: 'task-in-flight' as never,
        state: 'processing',
        items: [
          { name: 'Being.Uploaded.mkv', kind: 'video', state: 'processing', uploadedParts: [inFlight] },
        ],
      });
    fresh = await put(1000, 'Just.Stored.mkv');

    const indexed = await storeFile(
      server.app,
      randomFile(4000).path,
      'Indexed.File.mkv',
      'video/x-matroska',
    );
    for (const part of indexed.storage.parts) utimesSync(onDisk(part), TWO_HOURS_AGO, TWO_HOURS_AGO);
    indexedId = String(indexed._id);

    const dangling = await storeFile(server.app, randomFile(5000).path, 'Gone.File.mkv', 'video/x-matroska');
    await store.delete(dangling.storage.parts[0].ref);
    danglingId = String(dangling._id);

    const video = await storeFile(server.app, testVideo(2).path, 'Pattern.mp4', 'video/mp4');
    const files = server.app.get(MediaFileRepository);
    await files.setProbe(video._id, {
      duration: 2,
      streams: { video: [{ index: 0, codec: 'h264', width: 320, height: 240 }], audio: [], subtitles: [] },
    });
    const oldShot = await put(500, 'old.screenshot-1.webp', TWO_HOURS_AGO);
    await files.setArtifacts(video._id, { screenshots: [oldShot] });
    videoId = String(video._id);
  });
  after(async () => {
    await worker?.close();
    await server?.close();
    await db?.stop();
  });

  it('finds orphans: unreferenced local objects, not in-flight uploads, not fresh ones', async () => {
    const page = await admin.get('/admin/explorer/orphans');
    assert.equal(page.status, 200);
    const refs = [...String(page.body).matchAll(/<input type="hidden" name="ref" value="([^"]+)">/g)].map(
      (match) => match[1],
    );
    assert.deepEqual(refs, [orphan.ref]);
  });

  it('finds dangling records: files whose stored bytes are gone', async () => {
    const page = await admin.get('/admin/explorer/dangling');
    assert.equal(page.status, 200);
    const html = String(page.body);
    assert.match(html, new RegExp(`href="/admin/explorer/files/${danglingId}">Gone\\.File\\.mkv</a>`));
    assert.doesNotMatch(html, /Indexed\.File\.mkv/);
    assert.match(html, /Checked 3 files/);
    const detail = String((await admin.get(`/admin/explorer/files/${danglingId}`)).body);
    assert.match(detail, /<td>part 1<\/td>.*<strong>missing<\/strong>/);
  });

  it('shows each object of a folder with the library file it belongs to', async () => {
    const overview = String((await admin.get('/admin/explorer')).body);
    const folder = orphan.ref.split('/')[0];
    assert.match(overview, new RegExp(`href="/admin/explorer/folders/${folder}"`));
    assert.match(overview, /Indexed\.File\.mkv/);
    const indexedFile = await server.app.get(MediaFileRepository).findById(new Types.ObjectId(indexedId));
    const indexedRef = indexedFile!.storage.parts[0].ref;
    const page = String((await admin.get(`/admin/explorer/folders/${indexedRef.split('/')[0]}`)).body);
    assert.match(
      page,
      new RegExp(`part 1 of <a href="/admin/explorer/files/${indexedId}">Indexed\\.File\\.mkv</a>`),
    );
  });

  it('deletes one orphan by checking that object alone against the records, not by listing the store', async () => {
    const files = server.app.get(MediaFileRepository);
    const held = await storeFile(server.app, randomFile(700).path, 'Held.File.mkv', 'video/x-matroska');
    const still = await put(300, 'Held.File.mkv.screenshot-1.webp', TWO_HOURS_AGO);
    const sample = await put(300, 'Held.File.mkv.sample.mp4', TWO_HOURS_AGO);
    await files.setArtifacts(held._id, { screenshots: [still], sample });
    for (const part of held.storage.parts) utimesSync(onDisk(part), TWO_HOURS_AGO, TWO_HOURS_AGO);
    const poster = await put(400, 'poster.webp', TWO_HOURS_AGO);
    await server.app.get(ArtworkRepository).save({
      _id: 'artwork-held',
      source: 'https://image.example/poster.jpg',
      part: poster,
      width: 10,
      height: 10,
      createdAt: TWO_HOURS_AGO,
    });
    const taskStill = await put(200, 'Task.Still.webp', TWO_HOURS_AGO);
    await server.app
      .get(MongoConnection)
      .connection.collection('ingest_tasks')
      .insertOne({
        _id: 'task-stills' as never,
        state: 'done',
        items: [
          { name: 'Task.mkv', kind: 'video', state: 'done', storedArtifacts: { screenshots: [taskStill] } },
        ],
      });
    const another = await put(600, 'Another.Left.Behind.mkv', TWO_HOURS_AGO);

    const local = server.app.get(LocalMediaStore);
    const list = local.list.bind(local);
    local.list = () => {
      throw new Error('deleting one orphan listed the whole store');
    };
    try {
      // A file's part, still and sample; a kept artwork; an ingest task's still; in flight; too fresh.
      const claimed = [held.storage.parts[0], still, sample, poster, taskStill, inFlight, fresh];
      for (const part of claimed) {
        const refused = await deleteOrphanForm(part.ref);
        assert.equal(refused.status, 409, `${part.ref}: ${refused.html}`);
        assert.match(refused.html, /is not an orphan/);
        assert.ok(existsSync(onDisk(part)), `${part.ref} is still stored`);
      }
      const gone = await deleteOrphanForm('no/such-object');
      assert.equal(gone.status, 409);

      const deleted = await deleteOrphanForm(another.ref);
      assert.equal(deleted.status, 303, deleted.html);
      assert.ok(!existsSync(onDisk(another)), 'the orphan is gone from the store');
    } finally {
      local.list = list;
    }
  });

  const deleteOrphanForm = (ref: string) =>
    postPanelForm(server.url, admin, '/admin/explorer', '/admin/explorer/orphans/delete', { ref });

  it('deletes an orphan after a confirmed, CSRF-protected post; refuses a referenced object', async () => {
    const refused = await postPanelForm(
      server.url,
      admin,
      '/admin/explorer/orphans',
      '/admin/explorer/orphans/delete',
      {
        ref: inFlight.ref,
      },
    );
    assert.equal(refused.status, 409);
    assert.match(refused.html, /is not an orphan/);
    assert.ok(existsSync(onDisk(inFlight)), 'the in-flight object is still stored');

    const noToken = await fetch(`${server.url}/admin/explorer/orphans/delete`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: `sv_session=${admin.cookie('sv_session')}; sv_csrf=${admin.cookie('sv_csrf')}`,
      },
      body: new URLSearchParams({ ref: orphan.ref }),
    });
    assert.equal(noToken.status, 403);
    assert.ok(existsSync(onDisk(orphan)));

    const deleted = await postPanelForm(
      server.url,
      admin,
      '/admin/explorer/orphans',
      '/admin/explorer/orphans/delete',
      {
        ref: orphan.ref,
      },
    );
    assert.equal(deleted.status, 303, deleted.html);
    assert.ok(!existsSync(onDisk(orphan)), 'the orphan is gone from the store');
    assert.ok(existsSync(onDisk(fresh)) && existsSync(onDisk(inFlight)), 'nothing else was deleted');
    const page = String((await admin.get('/admin/explorer/orphans')).body);
    assert.match(page, /No orphans\./);
  });

  it('renames a file’s display name', async () => {
    const path = `/admin/explorer/files/${indexedId}`;
    const res = await postPanelForm(server.url, admin, path, `${path}/rename`, {
      fileName: 'Renamed <i>File.mkv',
    });
    assert.equal(res.status, 303, res.html);
    const page = String((await admin.get(path)).body);
    assert.match(page, /<h1 class="wrap">Renamed &lt;i&gt;File\.mkv<\/h1>/);
    const bad = await postPanelForm(server.url, admin, path, `${path}/rename`, { fileName: '../etc/passwd' });
    assert.equal(bad.status, 400);
    assert.match(bad.html, /cannot contain slashes/);
  });

  it('queues new screenshots and answers at once, without making them; refuses a second run while one is queued', async () => {
    const files = server.app.get(MediaFileRepository);
    const before = (await files.findById(new Types.ObjectId(videoId)))!;
    const path = `/admin/explorer/files/${videoId}`;
    // This app is a manager only: no worker takes the job, so it stays queued.
    const queued = await postStillsJson(path);
    assert.equal(queued.status, 202, JSON.stringify(queued.body));
    assert.equal(queued.location, `${path}/stills`);
    assert.deepEqual(queued.body, { fileId: videoId, state: 'queued', stills: `${path}/stills` });
    const after = (await files.findById(new Types.ObjectId(videoId)))!;
    assert.deepEqual(after.screenshots, before.screenshots, 'nothing was made inside the request');
    assert.deepEqual(explorerCopies(), [], 'nor copied');

    const page = String((await admin.get(path)).body);
    assert.match(page, /data-state="queued">New screenshots are queued for a worker\.</);
    assert.match(page, /<script src="\/assets\/admin\/explorer-file\.js"/);
    const state = await admin.get(`${path}/stills`);
    assert.equal(state.body.state, 'queued');

    const second = await postPanelForm(server.url, admin, path, `${path}/screenshots`, {});
    assert.equal(second.status, 409, second.html);
    assert.match(second.html, /already being made/);
    const secondJson = await postStillsJson(path);
    assert.equal(secondJson.status, 409);
    assert.equal(secondJson.body.error, 'already_running');
  });

  it('a worker makes the queued screenshots from the stored file and drops the old ones', async () => {
    const path = `/admin/explorer/files/${videoId}`;
    const files = server.app.get(MediaFileRepository);
    const before = (await files.findById(new Types.ObjectId(videoId)))!;
    const heard: string[] = [];
    await server.app.get(FileChangeBus).listen((ids) => heard.push(...(ids ?? [])));
    worker = await startWorker();
    const run = await eventually(
      async () => (await admin.get(`${path}/stills`)).body,
      (body) => body.state === 'done' || body.state === 'failed',
      { timeoutMs: 30000, intervalMs: 100, what: 'the queued stills made' },
    );
    assert.equal(run.state, 'done', JSON.stringify(run));
    assert.equal(run.made, 3);
    assert.equal(run.text, 'Made 3 new screenshots.');
    const after = (await files.findById(new Types.ObjectId(videoId)))!;
    assert.equal(after.screenshots.length, 3);
    for (const shot of after.screenshots) {
      assert.ok(await store.exists(shot), `${shot.ref} is stored`);
      assert.ok(shot.size > 0);
    }
    assert.ok(!existsSync(onDisk(before.screenshots[0])), 'the old still was deleted');
    await eventually(
      async () => heard,
      (ids) => ids.includes(videoId),
      { what: 'streamers told to drop their cached record (else the old stills, for 30 s)' },
    );
    const page = String((await admin.get(path)).body);
    assert.match(page, /data-state="done">Made 3 new screenshots\.</);

    const again = await postPanelForm(server.url, admin, path, `${path}/screenshots`, {});
    assert.equal(again.status, 303, 'a finished run does not hold the file');
    const next = await eventually(
      async () => (await admin.get(`${path}/stills`)).body,
      (body) => body.state === 'done' || body.state === 'failed',
      { timeoutMs: 30000, intervalMs: 100, what: 'the second run made' },
    );
    assert.equal(next.state, 'done', JSON.stringify(next));
  });

  it('reports a run on a file whose stored bytes are gone as failed, pointing at Dangling', async () => {
    const files = server.app.get(MediaFileRepository);
    const goneVideo = await storeFile(server.app, testVideo(2).path, 'Gone.Video.mp4', 'video/mp4');
    await files.setProbe(goneVideo._id, {
      duration: 2,
      streams: { video: [{ index: 0, codec: 'h264', width: 320, height: 240 }], audio: [], subtitles: [] },
    });
    await store.delete(goneVideo.storage.parts[0].ref);
    const path = `/admin/explorer/files/${String(goneVideo._id)}`;
    const before = (await files.findById(goneVideo._id))!;
    const res = await postStillsJson(path);
    assert.equal(res.status, 202);
    const run = await finishedRun(path);
    assert.equal(run.state, 'failed');
    assert.match(String(run.message), /stored bytes of this file are missing.*Dangling/);
    const after = (await files.findById(goneVideo._id))!;
    assert.deepEqual(after.screenshots, before.screenshots, 'the record is left as it was');
  });

  it('refuses to queue screenshots of a file that is not a video', async () => {
    const path = `/admin/explorer/files/${indexedId}`;
    const res = await postStillsJson(path);
    assert.equal(res.status, 409);
    assert.deepEqual(res.body, {
      error: 'not_a_video',
      message: 'This file has no video track with a known duration.',
    });
  });

  it('fails the run, on the worker, without disk for a copy of the file plus the margin ingest keeps free', async () => {
    // Set through the worker, which checks it (another process sees a change within its cache time).
    const settings = worker!.app.get(SettingsService);
    const disk = await statfs(server.config.dataDir);
    // Keeping all of today's free space free leaves none for the copy.
    await settings.update({ minFreeDiskBytes: disk.bavail * disk.bsize }, 'test');
    try {
      const files = server.app.get(MediaFileRepository);
      const before = (await files.findById(new Types.ObjectId(videoId)))!;
      const path = `/admin/explorer/files/${videoId}`;
      const res = await postStillsJson(path);
      assert.equal(res.status, 202);
      const run = await finishedRun(path);
      assert.equal(run.state, 'failed');
      assert.match(String(run.message), /Not enough disk on the worker for a temporary copy of the file/);
      const after = (await files.findById(new Types.ObjectId(videoId)))!;
      assert.deepEqual(after.screenshots, before.screenshots, 'the record is left as it was');
      assert.deepEqual(explorerCopies(), [], 'nothing was copied');
    } finally {
      await settings.update({ minFreeDiskBytes: null }, 'test');
    }
  });

  /** A worker beside the manager: same database, Redis prefix (queues) and data directory (store). */
  const startWorker = () =>
    startInProcessApp({
      MONGODB_URI: db.uri,
      ROLE: 'worker',
      DATA_DIR: server.config.dataDir,
      REDIS_PREFIX: server.config.redis.prefix,
    });

  const finishedRun = (path: string) =>
    eventually(
      async () => (await admin.get(`${path}/stills`)).body,
      (body) => body.state === 'done' || body.state === 'failed',
      { timeoutMs: 30000, intervalMs: 100, what: 'the stills run finished' },
    );

  /** The page's form, posted by a client that asks for JSON (the 202 answer). */
  const postStillsJson = async (path: string) => {
    const token = /name="_csrf" value="([^"]+)"/.exec(String((await admin.get(path)).body))?.[1];
    assert.ok(token);
    const res = await fetch(`${server.url}${path}/screenshots`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        accept: 'application/json',
        'content-type': 'application/x-www-form-urlencoded',
        cookie: `sv_session=${admin.cookie('sv_session')}; sv_csrf=${admin.cookie('sv_csrf')}`,
      },
      body: new URLSearchParams({ _csrf: token }),
    });
    return {
      status: res.status,
      location: res.headers.get('location'),
      body: (await res.json()) as Record<string, unknown>,
    };
  };

  const explorerCopies = () =>
    readdirSync(server.config.dataDir).filter((name) => name.startsWith('explorer-'));
});
