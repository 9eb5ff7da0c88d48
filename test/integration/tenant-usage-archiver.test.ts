import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { RedisMutex } from '../../src/core/redis/redis-mutex.js';
import { FIRST_ARCHIVE_MS, TenantUsageArchiver } from '../../src/franchise/usage/tenant-usage.archiver.js';
import { type TenantUsageService } from '../../src/franchise/usage/tenant-usage.service.js';
import { eventually } from '../support/eventually.js';
import { TEST_REDIS_URL, testRedisClient, uniqueRedisPrefix } from '../support/redis.js';

/** The archive's work stands in for the usage service (the archive itself: franchise-metering). */
function countingService(workMs = 0) {
  const service = {
    runs: 0,
    async archive() {
      service.runs++;
      await sleep(workMs);
    },
  };
  return service;
}

describe('tenant usage archiver (one manager at a time, from boot)', () => {
  const prefix = uniqueRedisPrefix();
  // Two managers: each its own Redis connection, as two processes would have.
  const connections = [0, 1].map(() => testRedisClient(TEST_REDIS_URL, prefix));
  const manager = (service: ReturnType<typeof countingService>, index: number) =>
    new TenantUsageArchiver(service as unknown as TenantUsageService, new RedisMutex(connections[index]));
  after(async () => {
    for (const connection of connections) await connection.onApplicationShutdown();
  });

  it('archives shortly after boot, so restarts less than an hour apart still archive', async () => {
    const service = countingService();
    const archiver = manager(service, 0);
    archiver.onApplicationBootstrap();
    try {
      await eventually(
        async () => service.runs,
        (runs) => runs === 1,
        { what: 'the first archive after boot', timeoutMs: FIRST_ARCHIVE_MS + 5000 },
      );
      // The round lets go of its lock just after the archive returns: the next case starts without it.
      await eventually(
        () => connections[0].client.exists('lock:tenant-usage-archive'),
        (held) => held === 0,
        { what: "the first round's lock released" },
      );
    } finally {
      archiver.onApplicationShutdown();
    }
  });

  it('lets only one of several managers archive at once', async () => {
    const service = countingService(300);
    const ran = await Promise.all([manager(service, 0).run(), manager(service, 1).run()]);
    assert.deepEqual(ran.sort(), [false, true]);
    assert.equal(service.runs, 1);
    // The lock is released when the archive ends: the next round runs.
    assert.equal(await manager(service, 1).run(), true);
    assert.equal(service.runs, 2);
  });
});
