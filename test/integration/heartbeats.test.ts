import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { type InstanceHeartbeat } from '../../src/core/heartbeat/instance-heartbeat.js';
import { startApp } from '../support/app-process.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { PROJECT_ROOT } from '../support/paths.js';
import { TEST_REDIS_URL, uniqueRedisPrefix } from '../support/redis.js';

const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };

describe('every process writes a heartbeat to Redis', () => {
  let db: TestDatabase;
  let redis: Redis;
  before(async () => {
    db = await startTestDatabase();
    redis = new Redis(TEST_REDIS_URL);
  });
  after(async () => {
    redis?.disconnect();
    await db?.stop();
  });

  async function heartbeats(prefix: string): Promise<InstanceHeartbeat[]> {
    const keys = await redis.keys(`${prefix}:heartbeat:*`);
    const values = keys.length ? await redis.mget(keys) : [];
    return values.filter((value) => value !== null).map((value) => JSON.parse(value) as InstanceHeartbeat);
  }

  it('a worker and a streamer each appear with roles, version and machine figures, and leave on stop', async () => {
    const prefix = uniqueRedisPrefix();
    const env = { MONGODB_URI: db.uri, REDIS_PREFIX: prefix, HEARTBEAT_INTERVAL_SECONDS: '1' };
    const worker = await startApp({ ...env, ROLE: 'worker' });
    const streamer = await startApp({ ...env, ROLE: 'streamer' });
    try {
      const live = await eventually(
        () => heartbeats(prefix),
        (found) => found.length === 2,
        { what: 'two heartbeats' },
      );
      const byPid = new Map(live.map((beat) => [beat.pid, beat]));
      assert.deepEqual(byPid.get(worker.child.pid!)?.roles, ['worker']);
      assert.deepEqual(byPid.get(streamer.child.pid!)?.roles, ['streamer']);
      for (const beat of live) {
        assert.equal(beat.version, manifest.version);
        assert.ok(beat.disk && beat.disk.totalBytes > 0 && beat.disk.freeBytes > 0);
        assert.ok(beat.memory.rssBytes > 0 && beat.memory.totalBytes > beat.memory.freeBytes);
        assert.ok(beat.cpuLoad >= 0);
        assert.ok((await redis.ttl(`${prefix}:heartbeat:${beat.instanceId}`)) <= 3);
      }
    } finally {
      await worker.stop();
    }
    await eventually(
      () => heartbeats(prefix),
      (found) => found.length === 1,
    );
    await streamer.stop();
    assert.deepEqual(await heartbeats(prefix), []);
  });
});
