import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { Types } from 'mongoose';
import { EnrichmentRequests } from '../../src/library/metadata/enrichment-requests.js';
import { type EnrichJobData } from '../../src/library/metadata/enrichment.job.js';
import { eventually } from '../support/eventually.js';
import { TEST_REDIS_URL, uniqueRedisPrefix } from '../support/redis.js';

describe('enrichment requests (real Redis, BullMQ)', () => {
  const prefix = uniqueRedisPrefix();
  let connection: Redis;
  let queue: Queue<EnrichJobData>;

  before(() => {
    connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    queue = new Queue<EnrichJobData>('library', { connection, prefix });
  });

  after(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    connection.disconnect();
  });

  it('runs again when a title is asked for while its enrichment is under way', async () => {
    const titleId = new Types.ObjectId();
    const runs: string[] = [];
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    const workerConnection = connection.duplicate();
    const worker = new Worker<EnrichJobData>(
      'library',
      async (job) => {
        runs.push(job.data.titleId);
        if (runs.length === 1) await firstHeld;
      },
      { connection: workerConnection, prefix },
    );
    try {
      const requests = new EnrichmentRequests(queue);
      await requests.request(titleId);
      await eventually(
        async () => runs.length,
        (n) => n === 1,
        { what: 'the first run to start' },
      );

      await requests.request(titleId); // e.g. an admin edited the title meanwhile
      await requests.request(titleId); // …twice: still one follow-up
      releaseFirst();

      await eventually(
        async () => runs.length,
        (n) => n === 2,
        { what: 'the follow-up run' },
      );
      await eventually(
        () => queue.getJobCounts(),
        (c) => c.active + c.waiting === 0,
        { what: 'an idle queue' },
      );
      assert.deepEqual(runs, [String(titleId), String(titleId)]);
      assert.equal((await queue.getJobs(['completed', 'failed'])).length, 0, 'finished jobs are dropped');
    } finally {
      await worker.close();
      workerConnection.disconnect();
    }
  });
});
