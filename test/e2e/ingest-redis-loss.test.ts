import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import mongoose from 'mongoose';
import { signInFirstAdmin, startApp, type RunningApp } from '../support/app-process.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { startFixtureServer } from '../support/fixture-server.js';
import { TestClient } from '../support/http.js';
import { tempDir, testVideo } from '../support/media.js';
import { SLOW_UPLOAD_WORKER_JS } from '../support/paths.js';
import { type PrivateRedis, startPrivateRedis } from '../support/private-redis.js';

const ADMIN_PASSWORD = 'redis-loss-admin-password';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/**
 * MongoDB is the record of truth for ingest tasks, the queue in Redis is not: Redis flushed or
 * replaced by an empty one mid-task must not strand a task, lose it, or make it twice.
 */
describe('ingest when Redis is lost', () => {
  let db: TestDatabase;
  let redis: PrivateRedis;
  let dataDir: string;
  const apps: RunningApp[] = [];
  const fixtures: { close: () => Promise<void> }[] = [];

  before(async () => {
    db = await startTestDatabase();
  });
  after(() => db?.stop());
  beforeEach(async () => {
    redis = await startPrivateRedis();
    dataDir = tempDir('sv-redis-loss-');
  });
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.stop('SIGKILL');
    for (const fixture of fixtures.splice(0)) await fixture.close();
    await redis?.stop();
  });

  /** One install: a manager that also streams, sharing DATA_DIR with its workers (local store). */
  async function install(allowPort: number, extra: Record<string, string> = {}) {
    const env = {
      MONGODB_URI: db.uri,
      REDIS_URL: redis.url,
      REDIS_PREFIX: 'sv',
      DATA_DIR: dataDir,
      INGEST_ALLOW_HOSTS: `127.0.0.1:${allowPort}`,
      ADMIN_PASSWORD,
      QUEUE_STALLED_AFTER_MS: '3000',
      INGEST_RECONCILE_INTERVAL_SECONDS: '2',
      ...extra,
    };
    const manager = await startApp({ ...env, ROLE: 'manager,streamer' });
    apps.push(manager);
    const admin = await signInFirstAdmin(manager.url, ADMIN_PASSWORD);
    const startWorker = async (entry?: string, more: Record<string, string> = {}) => {
      const worker = await startApp({ ...env, ROLE: 'worker', ...more }, entry);
      apps.push(worker);
      return worker;
    };
    const task = (taskId: string) => admin.get(`/api/ingest/${taskId}`).then((r) => r.body);
    const finished = (taskId: string, timeoutMs = 60000) =>
      eventually(
        () => task(taskId),
        (t) => t.state === 'failed' || (t.state === 'done' && !t.stillsPending),
        {
          timeoutMs,
          intervalMs: 250,
          what: `task ${taskId} finished`,
        },
      );
    return { manager, admin, startWorker, task, finished };
  }

  /** Exactly one library file and one title for `fileName`, streaming the source bytes exactly. */
  async function assertFiledOnce(
    manager: RunningApp,
    admin: TestClient,
    fileName: string,
    titleName: string,
    bytes: Buffer,
  ) {
    const connection = await mongoose.createConnection(db.uri).asPromise();
    try {
      const mongo = connection.db!;
      const files = await mongo.collection('media_files').find({ fileName }).toArray();
      assert.equal(files.length, 1, 'one file record');
      assert.equal(await mongo.collection('titles').countDocuments({ name: titleName }), 1, 'one title');
      const streamed = await fetch(`${manager.url}/stream/${String(files[0]._id)}/${fileName}`, {
        headers: { cookie: `sv_session=${admin.cookie('sv_session')}` },
      });
      assert.equal(streamed.status, 200);
      assert.ok(Buffer.from(await streamed.arrayBuffer()).equals(bytes), 'streams byte-exact');
    } finally {
      await connection.close();
    }
    const stored = filesUnder(join(dataDir, 'media')).filter((path) => path.endsWith(fileName));
    assert.equal(stored.length, 1, `one stored object: ${stored.join(', ')}`);
  }

  it('Redis flushed in the middle of a download: the task still ends done, filed once, byte-exact', async () => {
    const video = testVideo(3);
    const fixture = await startFixtureServer({ body: video.bytes, throttle: 48 * 1024 });
    fixtures.push(fixture);
    const { manager, admin, startWorker, task, finished } = await install(fixture.port);
    await startWorker();
    const submitted = await admin.post('/api/ingest', { url: fixture.url('/Flushed.Mid.Download.2020.mp4') });
    assert.equal(submitted.status, 202);
    const taskId = String(submitted.body.taskId);
    await eventually(
      () => task(taskId),
      (t) => t.state === 'downloading' && ((t.progress as { bytesDone: number } | null)?.bytesDone ?? 0) > 0,
      { timeoutMs: 20000, what: 'downloading' },
    );
    await redis.flush();
    const done = await finished(taskId);
    assert.equal(done.state, 'done', String(done.error));
    await assertFiledOnce(
      manager,
      admin,
      'Flushed.Mid.Download.2020.mp4',
      'Flushed Mid Download',
      video.bytes,
    );
  });

  it('Redis replaced by an empty instance in the middle of an upload: done, filed once, byte-exact', async () => {
    const video = testVideo(3, undefined, { pattern: 'testsrc2' });
    const fixture = await startFixtureServer({ body: video.bytes });
    fixtures.push(fixture);
    const { manager, admin, startWorker, finished } = await install(fixture.port);
    // The real app with a store that pauses after writing each upload: the window to lose Redis in.
    const worker = await startWorker(SLOW_UPLOAD_WORKER_JS, { UPLOAD_PAUSE_MS: '4000' });
    const submitted = await admin.post('/api/ingest', { url: fixture.url('/Replaced.Mid.Upload.2021.mp4') });
    assert.equal(submitted.status, 202);
    await eventually(
      async () => worker.stdout(),
      (out) => out.includes('STORED Replaced.Mid.Upload.2021.mp4'),
      { timeoutMs: 30000, what: 'the upload written, not yet recorded' },
    );
    await redis.replace();
    const done = await finished(String(submitted.body.taskId));
    assert.equal(done.state, 'done', String(done.error));
    await assertFiledOnce(manager, admin, 'Replaced.Mid.Upload.2021.mp4', 'Replaced Mid Upload', video.bytes);
  });

  it('a queued task whose job vanished is queued again by a manager and completes', async () => {
    const video = testVideo(2, undefined, { size: '352x288' });
    const fixture = await startFixtureServer({ body: video.bytes });
    fixtures.push(fixture);
    // The default reconcile interval: the task must be back in the queue well within a minute.
    const { admin, startWorker, finished } = await install(fixture.port, {
      INGEST_RECONCILE_INTERVAL_SECONDS: '15',
    });
    const submitted = await admin.post('/api/ingest', { url: fixture.url('/Lost.In.The.Queue.2022.mp4') });
    assert.equal(submitted.status, 202);
    await redis.flush(); // no worker ran yet: the job is gone, the task says "queued"
    await startWorker();
    const done = await finished(String(submitted.body.taskId), 60000);
    assert.equal(done.state, 'done', String(done.error));
  });

  it('retry takes a stuck task (no job, its worker gone) but not one a worker is at', async () => {
    const video = testVideo(4, undefined, { size: '256x144' });
    const fixture = await startFixtureServer({ body: video.bytes, throttle: 32 * 1024 });
    fixtures.push(fixture);
    // No reconciler here, so what happens is the user's retry alone.
    const { admin, startWorker, task, finished } = await install(fixture.port, {
      INGEST_RECONCILE_INTERVAL_SECONDS: '0',
    });
    const worker = await startWorker();
    const submitted = await admin.post('/api/ingest', { url: fixture.url('/Stuck.Then.Retried.2023.mp4') });
    const taskId = String(submitted.body.taskId);
    await eventually(
      () => task(taskId),
      (t) => t.state === 'downloading' && ((t.progress as { bytesDone: number } | null)?.bytesDone ?? 0) > 0,
      { timeoutMs: 20000, what: 'downloading' },
    );
    const busy = await admin.post(`/api/ingest/${taskId}/retry`);
    assert.equal(busy.status, 409, 'a worker is at it');
    assert.match(String(busy.body.message), /a worker has it/);

    await worker.stop('SIGKILL');
    await redis.flush();
    // Until the dead worker's lease (QUEUE_STALLED_AFTER_MS) runs out the task is not yet stuck.
    const retried = await eventually(
      () => admin.post(`/api/ingest/${taskId}/retry`),
      (response) => response.status !== 409,
      { timeoutMs: 15000, intervalMs: 500, what: 'retry accepted once the lease ran out' },
    );
    assert.equal(retried.status, 202, JSON.stringify(retried.body));
    assert.equal(retried.body.state, 'queued');
    await startWorker();
    const done = await finished(taskId);
    assert.equal(done.state, 'done', String(done.error));
    assert.equal(done.attempts, 2);
  });
});
