import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type AppConfig } from '../../src/core/config/app-config.js';
import { type HeartbeatRepository } from '../../src/core/heartbeat/heartbeat.repository.js';
import { type RedisClient } from '../../src/core/redis/redis-client.js';
import { type MutexOptions, RedisMutex } from '../../src/core/redis/redis-mutex.js';
import { type SettingsService } from '../../src/core/settings/settings.service.js';
import { type MediaStore } from '../../src/core/storage/media-store.js';
import { type IngestService, type TaskView } from '../../src/ingest/ingest.service.js';
import { countItems } from '../../src/ingest/items/ingest-item.js';
import { type LibraryService } from '../../src/library/library.service.js';
import { BotNotifier } from '../../src/bot/delivery/bot-notifier.service.js';
import { BotGateway } from '../../src/bot/gateway/telegraf-bot.gateway.js';
import { CompletionNotifier } from '../../src/bot/library/completion-notifier.service.js';
import { type WatchLinks } from '../../src/bot/library/watch-links.js';
import { BotStateRepository } from '../../src/bot/status/bot-state.repository.js';
import { StatusBoard } from '../../src/bot/status/status-board.service.js';
import { callSummary } from '../support/bot-chat.js';
import { type FakeBotApi, startFakeBotApi } from '../support/fake-bot-api.js';
import { TEST_REDIS_URL, testRedisClient, uniqueRedisPrefix } from '../support/redis.js';

const TOKEN = '123456789:AAHfakeTokenForStreamVaultTests_0123456';
const GROUP = -1001000000001;
const ALICE = { id: 1001, name: 'Alice' };
const BOB = { id: 1002, name: 'Bob' };

/** A task as IngestService shows it, in `state`, named by its hint. */
function taskView(taskId: string, state: string, hint: string): TaskView {
  return {
    taskId,
    source: `https://files.example/${hint}.mp4`,
    hint,
    state,
    engine: 'direct',
    progress: null,
    fileName: null,
    error: state === 'failed' ? 'the source answered 404' : null,
    attempts: 1,
    fileIds: [],
    reused: false,
    stillsPending: false,
    stuck: false,
    titleId: null,
    titleIds: [],
    items: [],
    itemCounts: countItems([]),
    currentItem: null,
    requester: { id: 'u1', name: 'alice' },
    createdAt: new Date(),
    updatedAt: new Date(),
  };
}

/**
 * The status board between the real Bot API client (on the fake Bot API) and the real Redis state;
 * the tasks it follows are what `tasks` holds (IngestService's view of them, without the pipeline).
 */
describe('the status board: what it tells Telegram about the tasks it follows', () => {
  let api: FakeBotApi;
  let redis: RedisClient;
  let state: BotStateRepository;
  let board: StatusBoard;
  /** A board like `board` on another view of the tasks or another mutex. */
  let boardWith: (ingest: IngestService, mutex: RedisMutex) => StatusBoard;
  const tasks = new Map<string, TaskView>();

  before(async () => {
    api = await startFakeBotApi(TOKEN);
    redis = testRedisClient(TEST_REDIS_URL, uniqueRedisPrefix());
    state = new BotStateRepository(redis);
    const config = { bot: { token: TOKEN, apiRoot: api.apiRoot } } as unknown as AppConfig;
    const gateway = new BotGateway(config);
    const completion = new CompletionNotifier(
      {} as LibraryService,
      {} as MediaStore,
      {} as WatchLinks,
      new BotNotifier(config, gateway),
    );
    const ingest = { get: async (taskId: string) => tasks.get(taskId)! } as unknown as IngestService;
    const heartbeats = { withRole: async () => [] } as unknown as HeartbeatRepository;
    const settings = { cached: () => ({ botStatusIntervalSeconds: 1 }) } as unknown as SettingsService;
    boardWith = (tasksView, mutex) =>
      new StatusBoard(gateway, state, tasksView, heartbeats, completion, mutex, settings);
    board = boardWith(ingest, new RedisMutex(redis));
  });
  after(async () => {
    await redis?.client.quit();
    await api?.close();
  });
  beforeEach(() => tasks.clear());

  /** One status round now (rounds are otherwise at most one per interval). */
  const round = async () => {
    await redis.client.del('bot:tick');
    await board.tick();
  };
  const follow = async (chatId: number, user: { id: number; name: string }, view: TaskView) => {
    tasks.set(view.taskId, view);
    await state.track({ taskId: view.taskId, chatId, userId: user.id, userName: user.name, trackedAt: 1 });
  };
  const callsTo = (start: number, chatId: number) =>
    api.calls.slice(start).filter((call) => Number(call.params.chat_id) === chatId);

  it('keeps a result Telegram refused with 429 and sends it once retry_after has passed', async () => {
    // Two tasks end in the same round; Telegram answers the first announcement "too many requests".
    await follow(ALICE.id, ALICE, taskView('a0000000-0000-4000-8000-000000000001', 'failed', 'First'));
    await follow(ALICE.id, ALICE, taskView('a0000000-0000-4000-8000-000000000002', 'cancelled', 'Second'));
    api.failNext('sendMessage', (p) => Number(p.chat_id) === ALICE.id, {
      code: 429,
      description: 'Too Many Requests: retry after 1',
      retryAfter: 1,
    });
    const start = api.calls.length;
    await round();
    assert.deepEqual(
      callsTo(start, ALICE.id).map((call) => call.failed?.code),
      [429],
      'nothing more for the chat once Telegram asked for quiet',
    );
    assert.equal((await state.tasksOf(ALICE.id)).length, 2, 'both results are still to tell');

    await round();
    assert.equal(callsTo(start, ALICE.id).length, 1, 'quiet while retry_after lasts');

    await new Promise((resolve) => setTimeout(resolve, 1100));
    await round();
    const told = callsTo(start, ALICE.id).slice(1);
    assert.deepEqual(
      told.map((call) => [call.method, call.failed?.code]),
      [
        ['sendMessage', undefined],
        ['sendMessage', undefined],
      ],
    );
    assert.match(String(told[0].params.text), /First/);
    assert.match(String(told[1].params.text), /Second.*was cancelled/);
    assert.deepEqual(await state.tasksOf(ALICE.id), [], 'told: no longer followed');
  });

  it('stops posting the status in a chat that put the bot out (403), and still tells the requester', async () => {
    const taskId = 'c0000000-0000-4000-8000-000000000001';
    await follow(GROUP, ALICE, taskView(taskId, 'queued', 'Kicked'));
    api.block(GROUP); // the bot was removed from the group
    const start = api.calls.length;
    await round();
    await round();
    await round();
    assert.deepEqual(
      callsTo(start, GROUP).map((call) => [call.method, call.failed?.code]),
      [['sendMessage', 403]],
      'one refused post, not one every round',
    );
    tasks.set(taskId, taskView(taskId, 'cancelled', 'Kicked'));
    await round();
    assert.match(String(callsTo(start, ALICE.id)[0]?.params.text), /Kicked.*was cancelled/);
    assert.deepEqual(await state.chats(), [], 'nothing left to follow');
  });

  it('gives up on a result for a user who blocked the bot rather than trying every round', async () => {
    api.block(BOB.id);
    await follow(BOB.id, BOB, taskView('b0000000-0000-4000-8000-000000000001', 'failed', 'Blocked'));
    const start = api.calls.length;
    await round();
    await round();
    assert.deepEqual(
      callsTo(start, BOB.id).map((call) => call.failed?.code),
      [403],
    );
    assert.deepEqual(await state.tasksOf(BOB.id), []);
  });

  it('during a 429 pause, a /leech, a page button and /status wait for the first round after it', async () => {
    const chatId = -1001000000002;
    const taskId = 'd0000000-0000-4000-8000-000000000001';
    await follow(chatId, ALICE, taskView(taskId, 'queued', 'Paused'));
    await state.pause(chatId, 1);
    const start = api.calls.length;
    await board.show(chatId); // the status post after /leech
    await board.showPage(chatId, 0);
    assert.equal(await board.repost(chatId), true, 'a task is active: no "nothing active" reply');
    assert.deepEqual(callsTo(start, chatId), [], 'no call to the chat while paused');

    await new Promise((resolve) => setTimeout(resolve, 1100));
    await round();
    const posted = callsTo(start, chatId);
    assert.deepEqual(posted.map(callSummary), [['sendMessage', chatId, undefined]]);
    const statusId = (posted[0].result as { message_id: number }).message_id;

    await state.pause(chatId, 1);
    const paused = api.calls.length;
    assert.equal(await board.repost(chatId), true);
    assert.deepEqual(callsTo(paused, chatId), [], 'no call to the chat while paused');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await round();
    assert.deepEqual(
      callsTo(paused, chatId).map(callSummary),
      [
        ['sendMessage', chatId, undefined],
        ['deleteMessage', chatId, statusId],
      ],
      'the /status asked for during the pause, once it is over',
    );

    tasks.set(taskId, taskView(taskId, 'cancelled', 'Paused'));
    await round();
    assert.deepEqual(await state.chats(), []);
  });

  it('keeps a chat locked through a refresh that outlasts the lock TTL', async () => {
    const chatId = -1001000000003;
    const taskId = 'e0000000-0000-4000-8000-000000000001';
    // The board locks a chat for 60 s at a time; here for 300 ms, so that a refresh of a second
    // (each task's view takes one) outlasts it without the test taking a minute.
    class ShortLocks extends RedisMutex {
      override withLock<T>(name: string, work: () => Promise<T>, options: MutexOptions = {}): Promise<T> {
        return super.withLock(name, work, { ...options, ttlMs: 300 });
      }
    }
    let refreshing = 0;
    let most = 0;
    const slowTasks = {
      get: async (id: string) => {
        most = Math.max(most, ++refreshing);
        await new Promise((resolve) => setTimeout(resolve, 1000));
        refreshing -= 1;
        return tasks.get(id)!;
      },
    } as unknown as IngestService;
    const slow = boardWith(slowTasks, new ShortLocks(redis));
    await follow(chatId, ALICE, taskView(taskId, 'queued', 'Slow'));

    const first = slow.show(chatId);
    await new Promise((resolve) => setTimeout(resolve, 500)); // past the TTL
    await Promise.all([first, slow.repost(chatId)]);
    assert.equal(most, 1, 'the second refresh waited for the first to end');

    tasks.set(taskId, taskView(taskId, 'cancelled', 'Slow'));
    await round();
    assert.deepEqual(await state.chats(), []);
  });

  it('waits the interval after a slow edit ended before editing again, not after it began', async (t) => {
    // The board's clock is mocked; Redis, the mutex and the fake Bot API run on real timers.
    t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
    const chatId = -1001000000004;
    const taskId = 'f0000000-0000-4000-8000-000000000001';
    await follow(chatId, ALICE, taskView(taskId, 'queued', 'Slow API'));
    const start = api.calls.length;
    const edits = () =>
      callsTo(start, chatId).filter((call) => call.method === 'editMessageText' && !call.failed).length;
    await round(); // posts the status message
    assert.equal(callsTo(start, chatId)[0]?.method, 'sendMessage');

    // An interval (1 s here) later the text has changed; Telegram takes 5 s to answer the edit.
    tasks.set(taskId, taskView(taskId, 'downloading', 'Slow API'));
    t.mock.timers.tick(1000);
    const slow = api.holdNext('editMessageText', (params) => Number(params.chat_id) === chatId);
    const editing = round();
    await slow.arrived;
    t.mock.timers.tick(5000);
    slow.release();
    await editing;
    assert.equal(edits(), 1);

    tasks.set(taskId, taskView(taskId, 'processing', 'Slow API'));
    await round();
    assert.equal(edits(), 1, 'no edit straight after the slow one ended');
    t.mock.timers.tick(1000);
    await round();
    assert.equal(edits(), 2, 'the next edit an interval after the slow one ended');

    tasks.set(taskId, taskView(taskId, 'cancelled', 'Slow API'));
    await round();
    assert.deepEqual(await state.chats(), []);
  });
});
