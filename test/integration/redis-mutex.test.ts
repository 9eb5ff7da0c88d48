import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RedisClient } from '../../src/core/redis/redis-client.js';
import { RedisMutex } from '../../src/core/redis/redis-mutex.js';
import { TEST_REDIS_URL, testRedisClient, uniqueRedisPrefix } from '../support/redis.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('RedisMutex.ifFree: one periodic round at a time across managers', () => {
  let redis: RedisClient;
  let mutex: RedisMutex;

  before(() => {
    redis = testRedisClient(TEST_REDIS_URL, uniqueRedisPrefix());
    mutex = new RedisMutex(redis);
  });
  after(async () => {
    await redis?.client.quit();
  });

  it('a round that outlasts its lock time keeps the lock with renew: another manager skips its turn', async () => {
    const first = mutex.ifFree('round-renewed', () => sleep(1000).then(() => 'first'), 300, { renew: true });
    await sleep(600);
    const second = await mutex.ifFree('round-renewed', async () => 'second', 300);
    assert.equal(second, undefined, 'the second manager found the round still running');
    assert.equal(await first, 'first');
    assert.equal(
      await mutex.ifFree('round-renewed', async () => 'after', 300),
      'after',
      'released at the end',
    );
  });

  it('without renew the lock lapses after its time (what renew is for)', async () => {
    const first = mutex.ifFree('round-lapsing', () => sleep(1000), 300);
    await sleep(600);
    assert.equal(await mutex.ifFree('round-lapsing', async () => 'second', 300), 'second');
    await first;
  });
});
