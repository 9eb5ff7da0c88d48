import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import mongoose from 'mongoose';
import { signInFirstAdmin, startApp, type RunningApp } from '../support/app-process.js';
import { SLOW_UPLOAD_WORKER_JS } from '../support/paths.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { startFixtureServer } from '../support/fixture-server.js';
import { tempDir, testVideo } from '../support/media.js';
import { uniqueRedisPrefix } from '../support/redis.js';
import { makeZip } from '../support/zip.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

describe('ingest survives a worker killed with SIGKILL', () => {
  let db: TestDatabase;
  const apps: RunningApp[] = [];
  let fixture: Awaited<ReturnType<typeof startFixtureServer>>;
  const video = testVideo(3);
  const dataDir = tempDir('sv-crash-');

  before(async () => {
    db = await startTestDatabase();
    // Slow enough that the download is still running when the worker is killed.
    fixture = await startFixtureServer({ body: video.bytes, throttle: 24 * 1024 });
  });
  const stopAll = async () => {
    for (const app of apps.splice(0)) await app.stop('SIGKILL');
  };
  after(async () => {
    await stopAll();
    await fixture?.close();
    await db?.stop();
  });

  it('a second worker finishes the task: one stored file, one library entry', async () => {
    const shared = {
      MONGODB_URI: db.uri,
      REDIS_PREFIX: uniqueRedisPrefix(),
      DATA_DIR: dataDir,
      INGEST_ALLOW_HOSTS: `127.0.0.1:${fixture.port}`,
      ADMIN_PASSWORD: 'crash-test-admin-password',
      QUEUE_STALLED_AFTER_MS: '2000',
    };
    const manager = await startApp({ ...shared, ROLE: 'manager' });
    apps.push(manager);
    const firstWorker = await startApp({ ...shared, ROLE: 'worker' });
    apps.push(firstWorker);

    const admin = await signInFirstAdmin(manager.url, shared.ADMIN_PASSWORD);
    const submitted = await admin.post('/api/ingest', { url: fixture.url('/Crash.Test.Movie.2021.mp4') });
    assert.equal(submitted.status, 202);
    const taskId = String(submitted.body.taskId);
    const task = () => admin.get(`/api/ingest/${taskId}`).then((r) => r.body);

    await eventually(
      task,
      (t) => t.state === 'downloading' && ((t.progress as { bytesDone: number } | null)?.bytesDone ?? 0) > 0,
      {
        timeoutMs: 20000,
        what: 'downloading with bytes on disk',
      },
    );
    await firstWorker.stop('SIGKILL');

    apps.push(await startApp({ ...shared, ROLE: 'worker' }));
    const done = await eventually(task, (t) => t.state === 'done' || t.state === 'failed', {
      timeoutMs: 90000,
      intervalMs: 250,
      what: 'task finished by the second worker',
    });
    assert.equal(done.state, 'done', String(done.error));
    assert.ok(Number(done.attempts) >= 2, 'the task was picked up again');
    assert.equal(
      fixture.requests.filter((r) => r.range).length >= 1,
      true,
      'the second worker resumed with Range',
    );

    const connection = await mongoose.createConnection(db.uri).asPromise();
    try {
      const mongo = connection.db!;
      assert.equal(
        await mongo.collection('media_files').countDocuments({ fileName: 'Crash.Test.Movie.2021.mp4' }),
        1,
      );
      assert.equal(await mongo.collection('titles').countDocuments({ name: 'Crash Test Movie' }), 1);
    } finally {
      await connection.close();
    }
    const storedVideos = filesUnder(join(dataDir, 'media')).filter((path) =>
      path.endsWith('Crash.Test.Movie.2021.mp4'),
    );
    assert.equal(storedVideos.length, 1, storedVideos.join(', '));
    // This install's manager shares the database with the next test's: stop it, or its reconciler
    // would queue the next test's tasks (in flight, between two workers) for this install's worker.
    await stopAll();
  });

  it('a worker killed after storing the file but before recording it: still one stored file, one entry', async () => {
    const uploadDataDir = tempDir('sv-crash-upload-');
    // Other content than the first test's: identical bytes would be reused, not uploaded.
    const quick = await startFixtureServer({ body: testVideo(4).bytes });
    try {
      const shared = {
        MONGODB_URI: db.uri,
        REDIS_PREFIX: uniqueRedisPrefix(),
        DATA_DIR: uploadDataDir,
        INGEST_ALLOW_HOSTS: `127.0.0.1:${quick.port}`,
        ADMIN_PASSWORD: 'crash-test-admin-password',
        QUEUE_STALLED_AFTER_MS: '2000',
      };
      const manager = await startApp({ ...shared, ROLE: 'manager' });
      apps.push(manager);
      const pausing = await startApp(
        { ...shared, ROLE: 'worker', UPLOAD_PAUSE_MS: '20000' },
        SLOW_UPLOAD_WORKER_JS,
      );
      apps.push(pausing);

      const admin = await signInFirstAdmin(manager.url, shared.ADMIN_PASSWORD);
      const name = 'Upload.Crash.Show.S02E05.720p.mp4';
      const submitted = await admin.post('/api/ingest', { url: quick.url(`/${name}`) });
      const taskId = String(submitted.body.taskId);

      // The store has written the main file; the task does not know yet. Kill the worker right there.
      await eventually(
        async () => pausing.stdout(),
        (out) => out.includes(`STORED ${name}\n`),
        { timeoutMs: 30000, what: 'the first worker stored the file' },
      );
      await pausing.stop('SIGKILL');

      const secondWorker = await startApp({ ...shared, ROLE: 'worker' });
      apps.push(secondWorker);
      const done = await eventually(
        () => admin.get(`/api/ingest/${taskId}`).then((r) => r.body),
        (t) => (t.state === 'done' && !t.stillsPending) || t.state === 'failed',
        { timeoutMs: 90000, intervalMs: 250, what: 'task finished by the second worker' },
      );
      assert.equal(
        done.state,
        'done',
        `${String(done.error)}\n${pausing.stdout()}\n${secondWorker.stdout()}`,
      );

      const connection = await mongoose.createConnection(db.uri).asPromise();
      try {
        const mongo = connection.db!;
        assert.equal(await mongo.collection('media_files').countDocuments({ fileName: name }), 1);
        assert.equal(await mongo.collection('titles').countDocuments({ name: 'Upload Crash Show' }), 1);
      } finally {
        await connection.close();
      }
      const stored = filesUnder(join(uploadDataDir, 'media'));
      assert.equal(stored.filter((path) => path.endsWith(name)).length, 1, stored.join(', '));
      assert.equal(stored.filter((path) => path.endsWith('.partial')).length, 0, stored.join(', '));
      assert.equal(
        stored.filter((path) => path.includes('.screenshot-')).length,
        3,
        `${stored.join(', ')}\n${secondWorker.stdout()}`,
      );
    } finally {
      await quick.close();
    }
  });

  it('a worker killed mid-pack: another finishes it, no item stored twice, none lost', async () => {
    await stopAll();
    const packDataDir = tempDir('sv-crash-pack-');
    const episodes = [1, 2, 3].map((n) => ({
      name: `Mid.Pack.Show.S01E0${n}.720p.mp4`,
      content: testVideo(1 + n, tempDir('sv-crash-ep-'), { size: '224x128' }).bytes,
    }));
    const pack = await startFixtureServer({
      body: makeZip(episodes),
      headers: { 'content-type': 'application/zip' },
    });
    try {
      const shared = {
        MONGODB_URI: db.uri,
        REDIS_PREFIX: uniqueRedisPrefix(),
        DATA_DIR: packDataDir,
        INGEST_ALLOW_HOSTS: `127.0.0.1:${pack.port}`,
        ADMIN_PASSWORD: 'crash-test-admin-password',
        QUEUE_STALLED_AFTER_MS: '2000',
        INGEST_ITEM_CONCURRENCY: '1',
      };
      apps.push(await startApp({ ...shared, ROLE: 'manager' }));
      const pausing = await startApp(
        { ...shared, ROLE: 'worker', UPLOAD_PAUSE_MS: '20000' },
        SLOW_UPLOAD_WORKER_JS,
      );
      apps.push(pausing);
      const admin = await signInFirstAdmin(apps[0].url, shared.ADMIN_PASSWORD);
      const submitted = await admin.post('/api/ingest', { url: pack.url('/Mid.Pack.Show.S01.zip') });
      const taskId = String(submitted.body.taskId);
      // The first episode is stored and the worker is inside the pack: kill it there.
      await eventually(
        async () => pausing.stdout(),
        (out) => out.includes(`STORED ${episodes[0].name}\n`),
        { timeoutMs: 30000, what: 'the first worker stored an episode' },
      );
      await pausing.stop('SIGKILL');

      const secondWorker = await startApp({ ...shared, ROLE: 'worker' });
      apps.push(secondWorker);
      const done = await eventually(
        () => admin.get(`/api/ingest/${taskId}`).then((r) => r.body),
        (t) => (t.state === 'done' && !t.stillsPending) || t.state === 'failed',
        { timeoutMs: 120000, intervalMs: 250, what: 'the pack finished by the second worker' },
      );
      assert.equal(done.state, 'done', `${String(done.error)}\n${secondWorker.stdout()}`);
      assert.deepEqual((done.itemCounts as { done: number }).done, 3);

      const connection = await mongoose.createConnection(db.uri).asPromise();
      try {
        const mongo = connection.db!;
        for (const episode of episodes) {
          assert.equal(await mongo.collection('media_files').countDocuments({ fileName: episode.name }), 1);
        }
        assert.equal(await mongo.collection('titles').countDocuments({ name: 'Mid Pack Show' }), 1);
      } finally {
        await connection.close();
      }
      const stored = filesUnder(join(packDataDir, 'media'));
      for (const episode of episodes) {
        assert.equal(stored.filter((path) => path.endsWith(episode.name)).length, 1, stored.join(', '));
      }
      assert.equal(stored.filter((path) => path.endsWith('.partial')).length, 0, stored.join(', '));
    } finally {
      await pack.close();
    }
  });
});
