import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type AppConfig } from '../../src/core/config/app-config.js';
import { RedisClient } from '../../src/core/redis/redis-client.js';
import { TenantStreamSlots } from '../../src/core/tenancy/tenant-stream-slots.js';
import { eventually } from '../support/eventually.js';
import { TEST_REDIS_URL, uniqueRedisPrefix } from '../support/redis.js';

const LEASE_MS = 60_000;

describe('tenant stream slots (Redis, shared by every streamer)', () => {
  const prefix = uniqueRedisPrefix();
  // Two streamers: each its own connection, as two processes would have.
  const connections = [0, 1].map(
    () => new RedisClient({ redis: { url: TEST_REDIS_URL, prefix } } as unknown as AppConfig),
  );
  let streamers: TenantStreamSlots[];

  before(() => {
    streamers = connections.map((connection) => new TenantStreamSlots(connection));
  });
  // Every key expires with its last lease (at most a minute).
  after(async () => {
    for (const connection of connections) await connection.onApplicationShutdown();
  });

  it('hands out exactly the quota to a burst from several streamers at once', async () => {
    const taken = await Promise.all(
      Array.from({ length: 25 }, (_, i) => streamers[i % 2].take('burst', 5, `s${i % 2}:${i}`, LEASE_MS)),
    );
    assert.equal(taken.filter(Boolean).length, 5);
    assert.equal(await streamers[0].held('burst'), 5);
  });

  it('frees a slot when its stream ends, for any streamer to take', async () => {
    assert.equal(await streamers[0].take('release', 1, 'a:1', LEASE_MS), true);
    assert.equal(await streamers[1].take('release', 1, 'b:1', LEASE_MS), false);
    await streamers[0].release('release', 'a:1');
    assert.equal(await streamers[1].take('release', 1, 'b:1', LEASE_MS), true);
    assert.equal(await streamers[0].held('release'), 1);
  });

  it("lets a crashed streamer's slots go when their leases end, while renewed ones stay", async () => {
    // Streamer 0 renews its stream's lease; streamer 1 takes one and "crashes" (never renews).
    assert.equal(await streamers[0].take('crash', 2, 'alive:1', 4000), true);
    assert.equal(await streamers[1].take('crash', 2, 'crashed:1', 4000), true);
    assert.equal(await streamers[0].take('crash', 2, 'late:1', LEASE_MS), false);
    await sleep(1500);
    await streamers[0].renew('crash', ['alive:1'], LEASE_MS);
    await eventually(
      () => streamers[0].take('crash', 2, 'late:1', LEASE_MS),
      (taken) => taken,
      { what: 'the crashed streamer’s slot to be free again', timeoutMs: 10_000, intervalMs: 200 },
    );
    // The renewed one is still held (two slots: it and the late one), so a third stream is refused.
    assert.equal(await streamers[0].take('crash', 2, 'third:1', LEASE_MS), false);
    assert.equal(await streamers[0].held('crash'), 2);
  });

  it('does not give a slot back to a holder whose lease has already ended', async () => {
    assert.equal(await streamers[0].take('gone', 1, 'old:1', 200), true);
    await eventually(
      () => streamers[0].held('gone'),
      (held) => held === 0,
      { what: 'the short lease to end', intervalMs: 50 },
    );
    await streamers[0].renew('gone', ['old:1'], LEASE_MS);
    assert.equal(await streamers[0].held('gone'), 0);
  });
});
