import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type mongoose from 'mongoose';
import { type Identity } from '../../src/core/identity/identity.js';
import { RedisMutex } from '../../src/core/redis/redis-mutex.js';
import { IngestService } from '../../src/ingest/ingest.service.js';
import { type InProcessApp } from '../support/in-process-app.js';
import { insertTaskDocument, startTaskManager, type TaskManager } from '../support/ingest-task-documents.js';

const ADMIN: Identity = { kind: 'user', id: 'admin-1', name: 'admin', role: 'admin', via: 'api-token' };

describe('cancelling an ingest task', () => {
  let manager: TaskManager;
  let server: InProcessApp;
  let mongo: mongoose.Connection;

  before(async () => {
    manager = await startTaskManager();
    ({ server, mongo } = manager);
  });
  after(async () => {
    await manager?.stop();
  });

  /** A task document as a worker would have left it (written directly, like data from before). */
  const task = (fields: Record<string, unknown>) => insertTaskDocument(mongo, { attempts: 1, ...fields });
  const stateOf = async (id: string) =>
    (await mongo.collection('ingest_tasks').findOne({ _id: id as never }))?.state as string | undefined;

  it('never turns a task its worker has just finished into a cancelled one', async () => {
    const id = await task({ state: 'indexing' });
    const ingest = server.app.get(IngestService);
    let cancel: Promise<unknown> | undefined;
    // The worker holds the task's lock while it records "done"; the cancel arrives meanwhile.
    await server.app.get(RedisMutex).withLock(`ingest-task:${id}`, async () => {
      cancel = ingest.cancel(id, ADMIN).then(
        () => 'cancelled',
        (error: Error) => error,
      );
      await sleep(500);
      await mongo.collection('ingest_tasks').updateOne({ _id: id as never }, { $set: { state: 'done' } });
    });
    const outcome = await cancel;
    assert.ok(outcome instanceof Error, `the cancel was refused (it answered: ${String(outcome)})`);
    assert.match(outcome.message, /already done/);
    assert.equal(await stateOf(id), 'done');
  });

  it('cancels an active task, and refuses an ended one with 409', async () => {
    const id = await task({ state: 'downloading' });
    const ingest = server.app.get(IngestService);
    const view = await ingest.cancel(id, ADMIN);
    assert.equal(view.state, 'cancelled');
    assert.equal(await stateOf(id), 'cancelled');
    await assert.rejects(ingest.cancel(id, ADMIN), (error: Error & { getStatus?: () => number }) => {
      assert.equal(error.getStatus?.(), 409);
      assert.match(error.message, /already cancelled/);
      return true;
    });
  });

  it('a cancelled pack, retried, runs its failed items again (their failures cleared)', async () => {
    const item = (path: string, fields: Record<string, unknown>) => ({
      path,
      name: path,
      kind: 'video',
      size: 1024,
      attempts: 1,
      ...fields,
    });
    const id = await task({
      state: 'cancelled',
      items: [
        item('a.mkv', { state: 'done', fileId: '0123456789abcdef01234567' }),
        item('b.mkv', { state: 'failed', error: 'upload failed' }),
      ],
    });
    await server.app.get(IngestService).retry(id, ADMIN);
    const stored = await mongo.collection('ingest_tasks').findOne({ _id: id as never });
    assert.equal(stored?.state, 'queued');
    const [done, retried] = stored?.items as { state: string; error?: string }[];
    assert.equal(done.state, 'done');
    assert.equal(retried.state, 'pending', 'the failed item runs again');
    assert.equal(retried.error, undefined);
  });
});
