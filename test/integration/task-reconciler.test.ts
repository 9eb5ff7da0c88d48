import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getQueueToken } from '@nestjs/bullmq';
import { type Queue } from 'bullmq';
import type mongoose from 'mongoose';
import { QueueName } from '../../src/core/queue/queue-names.js';
import { IngestTaskRepository } from '../../src/ingest/ingest-task.repository.js';
import { IngestQueue } from '../../src/ingest/queue/ingest-queue.js';
import { StuckTasks } from '../../src/ingest/recovery/stuck-tasks.js';
import { RedisMutex } from '../../src/core/redis/redis-mutex.js';
import { MAX_TASK_RUNS, TaskReconciler } from '../../src/ingest/recovery/task-reconciler.js';
import { type InProcessApp } from '../support/in-process-app.js';
import { insertTaskDocument, startTaskManager, type TaskManager } from '../support/ingest-task-documents.js';

describe('the task reconciler keeps every task that needs a worker in the queue', () => {
  let manager: TaskManager;
  let server: InProcessApp;
  let mongo: mongoose.Connection;
  let reconciler: TaskReconciler;
  let queue: Queue;

  before(async () => {
    // Rounds are run by the test, not by the timer.
    manager = await startTaskManager();
    ({ server, mongo } = manager);
    reconciler = server.app.get(TaskReconciler);
    queue = server.app.get<Queue>(getQueueToken(QueueName.Ingest), { strict: false });
  });
  after(async () => {
    await manager?.stop();
  });

  /** A task document as a worker would have left it (written directly, like data from before). */
  const task = (fields: Record<string, unknown>) => insertTaskDocument(mongo, fields);
  const entry = (id: string) => mongo.collection('ingest_active').findOne({ _id: id as never });

  it('finds tasks from before the in-flight set at its first round and queues the stuck ones', async () => {
    const lost = await task({ state: 'downloading', attempts: 1 });
    // A manager that has just started (its first round rebuilds the in-flight set).
    const justStarted = new TaskReconciler(
      server.config,
      server.app.get(IngestTaskRepository),
      server.app.get(IngestQueue),
      server.app.get(StuckTasks),
      server.app.get(RedisMutex),
    );
    const round = await justStarted.round();
    assert.ok(round, 'this manager held the round');
    assert.ok(await entry(lost), 'the task is in the in-flight set');
    assert.ok(round.requeued.includes(lost));
    assert.equal(await queue.getJobState(lost), 'waiting');
  });

  it('leaves alone a task with a waiting job, and one whose worker holds a fresh lease', async () => {
    const tasks = server.app.get(IngestTaskRepository);
    const waiting = await task({ state: 'queued' });
    await tasks.markInFlight({ _id: waiting, sourceKey: 'k1', requester: { id: 'u', name: 'u' } });
    await server.app.get(IngestQueue).enqueue(waiting);
    const running = await task({ state: 'processing', attempts: 1 });
    await tasks.markInFlight({ _id: running, sourceKey: 'k2', requester: { id: 'u', name: 'u' } });
    await tasks.renewLease(running, 'some-box:1234', new Date(Date.now() + 60_000));

    const round = await reconciler.round();
    assert.ok(round);
    assert.ok(!round.requeued.includes(waiting));
    assert.ok(!round.requeued.includes(running), 'a living worker is at it: no second run');
    assert.equal(await queue.getJobState(running), 'unknown');
  });

  it('queues a task again once its lease has run out', async () => {
    const tasks = server.app.get(IngestTaskRepository);
    const orphaned = await task({ state: 'uploading', attempts: 2 });
    await tasks.markInFlight({ _id: orphaned, sourceKey: 'k3', requester: { id: 'u', name: 'u' } });
    await tasks.renewLease(orphaned, 'dead-box:1', new Date(Date.now() - 1000));
    const round = await reconciler.round();
    assert.ok(round?.requeued.includes(orphaned));
    assert.equal(await queue.getJobState(orphaned), 'waiting');
  });

  it(`gives up on a task that lost its worker ${MAX_TASK_RUNS} times, saying why`, async () => {
    const tasks = server.app.get(IngestTaskRepository);
    const doomed = await task({ state: 'processing', attempts: MAX_TASK_RUNS });
    await tasks.markInFlight({ _id: doomed, sourceKey: 'k4', requester: { id: 'u', name: 'u' } });
    const round = await reconciler.round();
    assert.ok(round?.failed.includes(doomed));
    const failed = await tasks.findById(doomed);
    assert.equal(failed?.state, 'failed');
    assert.match(String(failed?.error), /gave up after 8 runs/);
    assert.equal(await entry(doomed), null, 'no longer in flight');
  });

  it('drops entries of finished tasks, and of submissions that died before writing their task', async () => {
    const finished = await task({ state: 'done' });
    await mongo.collection('ingest_active').insertMany([
      { _id: finished as never, sourceKey: 'k5', requesterId: 'u', createdAt: new Date() },
      {
        _id: 'no-such-task-old' as never,
        sourceKey: 'k6',
        requesterId: 'u',
        createdAt: new Date(Date.now() - 120_000),
      },
      { _id: 'no-such-task-new' as never, sourceKey: 'k7', requesterId: 'u', createdAt: new Date() },
    ]);
    await reconciler.round();
    assert.equal(await entry(finished), null);
    assert.equal(await entry('no-such-task-old'), null);
    assert.ok(await entry('no-such-task-new'), 'maybe still being written: kept for now');
  });
});
