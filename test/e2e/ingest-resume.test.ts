import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Job } from 'bullmq';
import { DailyQuota } from '../../src/ingest/admission/daily-quota.js';
import { IngestTaskRepository } from '../../src/ingest/ingest-task.repository.js';
import { IngestPipeline } from '../../src/ingest/ingest.pipeline.js';
import { ItemExpander } from '../../src/ingest/items/item-expander.js';
import { type IngestTask } from '../../src/ingest/schemas/ingest-task.schema.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { startFixtureServer } from '../support/fixture-server.js';
import { type InProcessApp, startInProcessApp } from '../support/in-process-app.js';
import { tempDir, testVideo } from '../support/media.js';
import { uniqueRedisPrefix } from '../support/redis.js';
import { makeZip } from '../support/zip.js';

const QUOTA_MIB = 100;

/**
 * A worker that stops once a task's download is recorded, before the task's items are made (the
 * items come from classifying every file, which takes a while in a big pack), and a second worker
 * with the same disk, database and Redis that picks the task up, as a restarted worker does. The test
 * runs the task's job on each itself, as BullMQ would.
 */
describe('ingest resumed by another worker after the download was recorded', () => {
  let db: TestDatabase;
  let fixture: Awaited<ReturnType<typeof startFixtureServer>>;
  let first: InProcessApp;
  let second: InProcessApp;
  const dataDir = tempDir('sv-resume-');
  const zip = makeZip([
    { name: 'Resumed.Pack.2020.mp4', content: testVideo(2, undefined, { size: '176x144' }).bytes },
    { name: '../../evil.Resumed.S01E01.mp4', content: Buffer.from('not here') },
    { name: '/etc/resumed-absolute.mp4', content: Buffer.from('not here either') },
  ]);

  before(async () => {
    db = await startTestDatabase();
    fixture = await startFixtureServer({ body: zip, headers: { 'content-type': 'application/zip' } });
    const shared = {
      MONGODB_URI: db.uri,
      ROLE: 'worker',
      DATA_DIR: dataDir,
      REDIS_PREFIX: uniqueRedisPrefix(),
      INGEST_ALLOW_HOSTS: `127.0.0.1:${fixture.port}`,
      INGEST_MAX_BYTES_PER_DAY: String(QUOTA_MIB),
      INGEST_MIN_FREE_DISK: '0',
    };
    first = await startInProcessApp(shared);
    second = await startInProcessApp(shared);
  });
  after(async () => {
    await first?.close();
    await second?.close();
    await fixture?.close();
    await db?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const tasks = () => second.app.get(IngestTaskRepository);
  const requester = (id: string) => ({ id, name: id, role: 'uploader' });

  /** A task as the manager records a submission by an uploader (with a daily quota). */
  async function submit(name: string, requesterId: string): Promise<string> {
    const task = await tasks().insert({
      _id: randomUUID(),
      source: fixture.url(`/${name}`),
      sourceKey: `resume-test:${name}`,
      sourceKind: 'http',
      requester: requester(requesterId),
    });
    return task._id;
  }

  /** One run of the task's job on `worker`, after `attemptsMade` earlier runs. */
  const run = (worker: InProcessApp, taskId: string, attemptsMade: number) =>
    worker.app.get(IngestPipeline).run({ taskId }, {
      attemptsMade,
      opts: { attempts: 5 },
      updateProgress: () => Promise.resolve(),
    } as unknown as Job);

  /** The first worker's run, stopped between the recorded download and the items. */
  async function stopAfterDownload(taskId: string): Promise<void> {
    const expander = first.app.get(ItemExpander);
    const expand = expander.expand;
    expander.expand = () => Promise.reject(new Error('the worker stopped here'));
    try {
      await assert.rejects(run(first, taskId, 0), /the worker stopped here/);
    } finally {
      expander.expand = expand;
    }
    assert.ok((await tasks().findById(taskId))?.download, 'the download was recorded');
  }

  async function finished(taskId: string): Promise<IngestTask> {
    const task = (await tasks().findById(taskId))!;
    assert.equal(task.state, 'done', task.error);
    return task;
  }

  it('charges the daily quota for a source once, even when a retry must fetch it all again', async () => {
    const taskId = await submit('Charged.Once.2020.zip', 'charged-once');
    const quota = second.app.get(DailyQuota);
    const used = async () => QUOTA_MIB * 1024 * 1024 - (await quota.remaining(requester('charged-once')))!;

    await stopAfterDownload(taskId);
    assert.equal(await used(), zip.length);
    // The first worker's disk is gone with it: the second fetches the whole source again.
    rmSync(join(dataDir, 'downloads', taskId), { recursive: true, force: true });
    await run(second, taskId, 1);

    await finished(taskId);
    assert.equal(
      fixture.requests.filter((r) => r.url === '/Charged.Once.2020.zip').length,
      2,
      'fetched twice',
    );
    assert.equal(await used(), zip.length, 'charged once');
  });

  it('still reports the archive entries it refused when another worker makes the items', async () => {
    const taskId = await submit('Refused.Entries.2020.zip', 'refused-entries');
    await stopAfterDownload(taskId);
    await run(second, taskId, 1);

    const task = await finished(taskId);
    assert.equal(fixture.requests.filter((r) => r.url === '/Refused.Entries.2020.zip').length, 1);
    const skipped = task.items!.filter((item) => item.state === 'skipped');
    assert.deepEqual(
      skipped.map((item) => item.name),
      ['../../evil.Resumed.S01E01.mp4', '/etc/resumed-absolute.mp4'],
    );
    assert.match(String(skipped[0].error), /leaving the archive/);
    assert.match(String(skipped[1].error), /absolute path/);
  });
});
