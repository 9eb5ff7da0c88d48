import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import mongoose from 'mongoose';
import { IngestTaskRepository } from '../../src/ingest/ingest-task.repository.js';
import { IngestQueue } from '../../src/ingest/queue/ingest-queue.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { startFixtureServer } from '../support/fixture-server.js';
import { type TestClient } from '../support/http.js';
import { startInProcessApp, type InProcessApp, signInAdmin } from '../support/in-process-app.js';
import { testVideo } from '../support/media.js';

describe('stills of a task whose worker died after "done"', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let admin: TestClient;
  let fixture: Awaited<ReturnType<typeof startFixtureServer>>;

  before(async () => {
    db = await startTestDatabase();
    fixture = await startFixtureServer({ body: testVideo(3, undefined, { size: '160x120' }).bytes });
    server = await startInProcessApp({
      MONGODB_URI: db.uri,
      ROLE: 'all',
      INGEST_ALLOW_HOSTS: `127.0.0.1:${fixture.port}`,
    });
    admin = await signInAdmin(server);
  });
  after(async () => {
    await server?.close();
    await fixture?.close();
    await db?.stop();
  });

  it('are made from the stored file when the download sandbox is gone', async () => {
    const submitted = await admin.post('/api/ingest', { url: fixture.url('/Stills.Later.2019.mp4') });
    const taskId = String(submitted.body.taskId);
    const ingested = await eventually(
      async () => (await admin.get(`/api/ingest/${taskId}`)).body,
      (task) => task.state === 'done' && !task.stillsPending,
      { timeoutMs: 60000, intervalMs: 200, what: 'ingested with stills' },
    );
    const fileId = String((ingested.fileIds as string[])[0]);
    const sandbox = join(server.config.dataDir, 'downloads', taskId);
    assert.ok(!existsSync(sandbox), 'the sandbox went with the task');

    // As a worker killed right after "done" leaves it: stills pending, none on the file, no sandbox.
    const mongo = await mongoose.createConnection(db.uri).asPromise();
    try {
      await mongo
        .collection('media_files')
        .updateOne(
          { _id: new mongoose.Types.ObjectId(fileId) },
          { $set: { screenshots: [] }, $unset: { sample: 1 } },
        );
      await mongo
        .collection('ingest_tasks')
        .updateOne(
          { _id: taskId as never },
          { $set: { artifactsPending: true, 'items.0.artifactsPending': true } },
        );
      const task = await server.app.get(IngestTaskRepository).findById(taskId);
      await server.app.get(IngestTaskRepository).markInFlight(task!);
      await server.app.get(IngestQueue).requeue(taskId);

      const view = await eventually(
        async () => (await admin.get(`/api/ingest/${taskId}`)).body,
        (current) => current.stillsPending === false,
        { timeoutMs: 30000, intervalMs: 200, what: 'the stills made again' },
      );
      assert.equal(view.state, 'done', 'still done: the file played all along');
      const file = await mongo
        .collection('media_files')
        .findOne({ _id: new mongoose.Types.ObjectId(fileId) });
      assert.equal((file?.screenshots as unknown[]).length, 3, 'three stills on the file again');
      assert.ok(file?.sample, 'and a sample');
      assert.ok(!existsSync(sandbox), 'the temporary copy is gone too');
    } finally {
      await mongo.close();
    }
  });
});
