import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RedisClient } from '../../src/core/redis/redis-client.js';
import { BotStateRepository, type TrackedTask } from '../../src/bot/status/bot-state.repository.js';
import { TEST_REDIS_URL, testRedisClient, uniqueRedisPrefix } from '../support/redis.js';

const GROUP = -1001;
const TASK = '2082083a-0000-4000-8000-000000000001';
const alice: TrackedTask = {
  taskId: TASK,
  chatId: GROUP,
  userId: 1001,
  userName: 'Alice',
  triggerMessageId: 13,
  trackedAt: 1,
};

describe('the tasks the bot follows, per chat', () => {
  let redis: RedisClient;
  let state: BotStateRepository;

  before(() => {
    redis = testRedisClient(TEST_REDIS_URL, uniqueRedisPrefix());
    state = new BotStateRepository(redis);
  });
  after(async () => {
    await redis.client.quit();
  });

  it('keeps each chat its own requester and trigger message when one task is followed from two chats', async () => {
    await state.track(alice);
    // Bob sends the same link in his DM while it is active: the task is his too, not instead.
    await state.track({ taskId: TASK, chatId: 1002, userId: 1002, userName: 'Bob', trackedAt: 2 });
    assert.deepEqual(await state.task(GROUP, TASK), alice);
    assert.equal((await state.task(1002, TASK))?.userName, 'Bob');
    assert.equal((await state.task(1002, TASK))?.triggerMessageId, undefined);
    await state.untrack(1002, TASK);
    assert.deepEqual(await state.tasksOf(GROUP), [alice], 'untracking one chat leaves the other');
    await state.untrack(GROUP, TASK);
  });

  it("keeps a chat's first requester when someone else there sends the same link", async () => {
    await state.track(alice);
    await state.track({ ...alice, userId: 1009, userName: 'Carol', triggerMessageId: 99, trackedAt: 5 });
    assert.deepEqual(await state.tasksOf(GROUP), [alice]);
    await state.untrack(GROUP, TASK);
    assert.deepEqual(await state.tasksOf(GROUP), []);
  });

  it('still reads, and untracks, a record written before records were kept per chat', async () => {
    const legacy = '2082083a-0000-4000-8000-000000000002';
    await redis.client.hset(`bot:task:${legacy}`, {
      chatId: String(GROUP),
      userId: '1001',
      userName: 'Alice',
      triggerMessageId: '7',
      trackedAt: '3',
    });
    await redis.client.zadd(`bot:chat:${GROUP}:tasks`, 3, legacy);
    assert.equal((await state.task(GROUP, legacy))?.triggerMessageId, 7);
    assert.equal(await state.task(1002, legacy), undefined, "another chat's record is not this chat's");
    await state.untrack(GROUP, legacy);
    assert.equal(await redis.client.exists(`bot:task:${legacy}`), 0);
  });
});
