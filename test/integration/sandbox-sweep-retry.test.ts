import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it, mock } from 'node:test';
import type mongoose from 'mongoose';
import { type Identity } from '../../src/core/identity/identity.js';
import { MongoConnection } from '../../src/core/database/mongo-connection.js';
import { RedisClient } from '../../src/core/redis/redis-client.js';
import { RedisMutex } from '../../src/core/redis/redis-mutex.js';
import { IngestTaskRepository } from '../../src/ingest/ingest-task.repository.js';
import { IngestService } from '../../src/ingest/ingest.service.js';
import { downloadsRoot, SandboxSweeper } from '../../src/ingest/sandbox-sweeper.js';
import { type InProcessApp } from '../support/in-process-app.js';
import { insertTaskDocument, startTaskManager, type TaskManager } from '../support/ingest-task-documents.js';

const ADMIN: Identity = { kind: 'user', id: 'admin-1', name: 'Admin', role: 'admin', via: 'cookie' };

describe('the sandbox sweep and a retry of the same task', () => {
  let manager: TaskManager;
  let server: InProcessApp;
  let mongo: mongoose.Connection;

  before(async () => {
    // A manager takes the retry; no worker runs its job and no reconciler round moves the task.
    manager = await startTaskManager();
    ({ server, mongo } = manager);
  });
  after(async () => {
    await manager?.stop();
  });

  it('never removes a sandbox once the task is retried, even when the retry comes while the sweep is deciding', async () => {
    const taskId = await insertTaskDocument(mongo, { state: 'cancelled', attempts: 1 });
    const sandbox = join(downloadsRoot(server.config), taskId);
    mkdirSync(sandbox, { recursive: true });
    writeFileSync(join(sandbox, 'partial.mkv'), Buffer.alloc(1024));

    // The worker's sweeper, as in its own process: its own repository and lock client.
    const workerTasks = new IngestTaskRepository(
      server.app.get(MongoConnection),
      new RedisMutex(server.app.get(RedisClient)),
    );
    const sweeper = new SandboxSweeper(server.config, workerTasks);

    // The manager's lock client reports when the retry has to wait for the task's lock.
    const mutex = server.app.get(RedisMutex);
    const redis = server.app.get(RedisClient).client;
    const withLock = mutex.withLock.bind(mutex);
    let retryWaits!: () => void;
    const waiting = new Promise<string>(
      (resolve) => (retryWaits = () => resolve('retry waits for the lock')),
    );
    mock.method(mutex, 'withLock', async (...args: Parameters<RedisMutex['withLock']>) => {
      if (args[0] === `ingest-task:${taskId}` && (await redis.exists(`lock:${args[0]}`))) retryWaits();
      return withLock(...args);
    });

    // The worker's job for the retried task, writing into the sandbox.
    let resumed = false;
    const workerResumes = () => {
      mkdirSync(sandbox, { recursive: true });
      writeFileSync(join(sandbox, 'resumed.part'), Buffer.alloc(2048));
      resumed = true;
    };

    // The retry arrives just as the sweep has read the task (still cancelled) and before it acts.
    let retried: Promise<unknown> | undefined;
    const findById = workerTasks.findById.bind(workerTasks);
    mock.method(workerTasks, 'findById', async (id: string) => {
      const seen = await findById(id);
      if (id === taskId && !retried) {
        retried = server.app.get(IngestService).retry(taskId, ADMIN);
        const first = await Promise.race([retried.then(() => 'retried'), waiting]);
        if (first === 'retried') workerResumes(); // queued again: its job may start at once
      }
      return seen;
    });

    try {
      await sweeper.sweep();
      await retried;
      if (!resumed) workerResumes(); // the retry had to wait: its job starts only now
      assert.equal((await server.app.get(IngestTaskRepository).findById(taskId))?.state, 'queued');
      assert.ok(
        existsSync(join(sandbox, 'resumed.part')),
        "what the retried task's job downloaded is still there",
      );
    } finally {
      mock.restoreAll();
      await server.app.get(IngestTaskRepository).cancelIfActive(taskId);
    }
  });

  it('keeps the partial download of a task retried before the sweep, to resume from', async () => {
    const taskId = await insertTaskDocument(mongo, { state: 'failed', attempts: 1 });
    const sandbox = join(downloadsRoot(server.config), taskId);
    mkdirSync(sandbox, { recursive: true });
    writeFileSync(join(sandbox, 'partial.mkv'), Buffer.alloc(1024));
    await server.app.get(IngestService).retry(taskId, ADMIN);

    const removed = await new SandboxSweeper(server.config, server.app.get(IngestTaskRepository)).sweep();
    assert.ok(!removed.includes(taskId));
    assert.ok(existsSync(join(sandbox, 'partial.mkv')));
    await server.app.get(IngestTaskRepository).cancelIfActive(taskId);
  });
});
