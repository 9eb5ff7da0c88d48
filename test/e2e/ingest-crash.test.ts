import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import mongoose from 'mongoose';
import { startApp, type RunningApp } from '../support/app-process.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { startFixtureServer } from '../support/fixture-server.js';
import { TestClient } from '../support/http.js';
import { tempDir, testVideo } from '../support/media.js';
import { uniqueRedisPrefix } from '../support/redis.js';

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
  after(async () => {
    for (const app of apps) await app.stop('SIGKILL');
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

    const admin = new TestClient(manager.url);
    await eventually(
      () => admin.post('/api/auth/login', { username: 'admin', password: shared.ADMIN_PASSWORD }),
      (r) => r.status === 200,
      {
        what: 'admin bootstrapped',
      },
    );
    await admin.login('admin', shared.ADMIN_PASSWORD);
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
  });
});
