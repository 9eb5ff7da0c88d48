import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { IngestService } from '../../src/ingest/ingest.service.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { type BotChat, callSummary, startBotChat } from '../support/bot-chat.js';
import { type FakeBotApi } from '../support/fake-bot-api.js';
import { startFixtureServer } from '../support/fixture-server.js';
import { testVideo } from '../support/media.js';
import { uniqueRedisPrefix } from '../support/redis.js';

const TOKEN = '987654321:AAHanotherFakeTokenForStreamVaultTests';
const GROUP = -1001000000007;
const ALICE = { id: 2001, name: 'Alice' };
const ADMIN = { id: 2002, name: 'Ada' };
const SECRET = 'webhook-secret-for-tests-0123';

describe('telegram bot: restart and webhook', () => {
  let db: TestDatabase;
  let chat: BotChat;
  let api: FakeBotApi;
  let fixture: Awaited<ReturnType<typeof startFixtureServer>>;
  const video = testVideo(2);

  before(async () => {
    db = await startTestDatabase();
    chat = await startBotChat(TOKEN);
    api = chat.api;
    fixture = await startFixtureServer({ body: video.bytes });
  });
  after(async () => {
    await chat?.close();
    await fixture?.close();
    await db?.stop();
  });

  const env = { BOT_AUTHORIZED_CHATS: String(GROUP), BOT_ADMIN_IDS: String(ADMIN.id) };

  it('a manager restart keeps the status message and the trigger to delete (state in Redis)', async () => {
    const prefix = uniqueRedisPrefix();
    const shared = {
      ...env,
      MONGODB_URI: db.uri,
      REDIS_PREFIX: prefix,
      INGEST_ALLOW_HOSTS: `127.0.0.1:${fixture.port}`,
    };
    // A manager without a worker: the task waits in the queue while the manager restarts.
    const first = await chat.startApp({ ...shared, ROLE: 'manager' });
    const url = fixture.url('/Restart.Proof.2020.mp4');
    const start = api.calls.length;
    const trigger = await chat.send(GROUP, ALICE, `/leech ${url}`);
    const post = await chat.waitForCall(
      'status posted',
      (c) =>
        c.method === 'sendMessage' && Number(c.params.chat_id) === GROUP && api.calls.indexOf(c) >= start,
    );
    const statusId = (post.result as { message_id: number }).message_id;
    await first.close();

    const second = await chat.startApp({ ...shared, ROLE: 'all' });
    try {
      await chat.waitForCall(
        'status deleted',
        (c) => c.method === 'deleteMessage' && Number(c.params.message_id) === statusId,
      );
      const after = api.calls.filter(
        (c) =>
          api.calls.indexOf(c) > api.calls.indexOf(post) &&
          ['editMessageText', 'deleteMessage', 'sendPhoto'].includes(c.method),
      );
      assert.ok(
        after.every((c) => !c.failed),
        JSON.stringify(after.filter((c) => c.failed)),
      );
      assert.ok(
        after
          .filter((c) => c.method === 'editMessageText')
          .every((c) => Number(c.params.message_id) === statusId),
        'the same status message is edited',
      );
      assert.deepEqual(after.slice(-3).map(callSummary), [
        ['sendPhoto', ALICE.id, undefined],
        ['deleteMessage', GROUP, trigger],
        ['deleteMessage', GROUP, statusId],
      ]);
      assert.equal((await second.app.get(IngestService).list()).find((t) => t.source === url)?.state, 'done');
    } finally {
      await second.close();
    }
  });

  it('a command menu Telegram refuses at boot is set again later, and updates are still read once', async () => {
    api.failNext('setMyCommands', () => true, {
      code: 429,
      description: 'Too Many Requests: retry after 1',
      retryAfter: 1,
    });
    const start = api.calls.length;
    const app = await chat.startApp({
      ...env,
      MONGODB_URI: db.uri,
      REDIS_PREFIX: uniqueRedisPrefix(),
      ROLE: 'manager',
    });
    try {
      const menus = () => api.calls.slice(start).filter((c) => c.method === 'setMyCommands');
      await chat.waitForCall(
        'the menu set on its second try',
        (c) => c.method === 'setMyCommands' && !c.failed && api.calls.indexOf(c) >= start,
      );
      assert.deepEqual(
        menus().map((c) => Boolean(c.failed)),
        [true, false],
      );
      // One polling loop: a second one (the whole start retried) would answer each message twice.
      const before = api.calls.length;
      await chat.send(ALICE.id, ALICE, '/help');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const replies = api.calls.slice(before).filter((c) => c.method === 'sendMessage');
      assert.equal(replies.length, 1, JSON.stringify(replies.map(callSummary)));
      assert.equal(api.calls.slice(start).filter((c) => c.method === 'getMe').length, 1, 'started once');
    } finally {
      await app.close();
    }
  });

  it('with TELEGRAM_WEBHOOK_URL: registers the webhook with its secret and takes updates only with it', async () => {
    const app = await chat.startApp({
      ...env,
      MONGODB_URI: db.uri,
      ROLE: 'manager',
      TELEGRAM_WEBHOOK_URL: 'https://bot.example.com/bot/webhook',
      TELEGRAM_WEBHOOK_SECRET: SECRET,
    });
    try {
      const setWebhook = await chat.waitForCall('setWebhook', (c) => c.method === 'setWebhook');
      assert.equal(setWebhook.params.url, 'https://bot.example.com/bot/webhook');
      assert.equal(setWebhook.params.secret_token, SECRET);
      // Start-up ends with the command menu (this app's: after its webhook): calls counted from here
      // on are the updates' own.
      const webhookAt = api.calls.indexOf(setWebhook);
      await chat.waitForCall(
        'setMyCommands',
        (c) => c.method === 'setMyCommands' && api.calls.indexOf(c) > webhookAt,
      );
      const polls = api.calls.filter((c) => c.method === 'getUpdates').length;

      const update = {
        update_id: 900001,
        message: {
          message_id: 77,
          date: 0,
          chat: { id: ADMIN.id, type: 'private', first_name: ADMIN.name },
          from: { id: ADMIN.id, is_bot: false, first_name: ADMIN.name },
          text: '/help',
        },
      };
      const post = (secret?: string) =>
        app.request('/bot/webhook', {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}),
          },
          body: JSON.stringify(update),
        });
      const start = api.calls.length;
      assert.equal((await post()).status, 401);
      assert.equal((await post('wrong-secret-wrong-secret-00')).status, 401);
      assert.equal(api.calls.length, start, 'nothing done for a forged update');
      assert.equal((await post(SECRET)).status, 200);
      const help = api.calls.slice(start).find((c) => c.method === 'sendMessage');
      assert.equal(Number(help?.params.chat_id), ADMIN.id);
      assert.match(String(help?.params.text), /\/leech — Add media from a link/);
      assert.equal(api.calls.filter((c) => c.method === 'getUpdates').length, polls, 'no long polling');
    } finally {
      await app.close();
    }
  });
});
