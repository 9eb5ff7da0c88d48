import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { UserService } from '../../src/auth/user.service.js';
import { IngestTaskRepository } from '../../src/ingest/ingest-task.repository.js';
import { IngestService } from '../../src/ingest/ingest.service.js';
import { type BotChat, startBotChat } from '../support/bot-chat.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { startFixtureServer } from '../support/fixture-server.js';
import { type InProcessApp } from '../support/in-process-app.js';
import { testVideo } from '../support/media.js';

const TOKEN = '123456789:AAHfakeTokenForStreamVaultTests_0123456';
const GROUP = -1001000000021;
const ALICE = { id: 3001, name: 'Alice' };
const BOB = { id: 3002, name: 'Bob' };
const ADMIN = { id: 3003, name: 'Ada' };

describe('telegram bot: /cancel and /retry by the short id the bot showed', () => {
  let db: TestDatabase;
  let chat: BotChat;
  let server: InProcessApp;
  let slow: Awaited<ReturnType<typeof startFixtureServer>>;
  const video = testVideo(2);

  before(async () => {
    db = await startTestDatabase();
    chat = await startBotChat(TOKEN);
    // A download of a minute: cancelled long before it ends.
    slow = await startFixtureServer({ body: video.bytes, throttle: Math.ceil(video.bytes.length / 60) });
    server = await chat.startApp({
      MONGODB_URI: db.uri,
      ROLE: 'all',
      INGEST_ALLOW_HOSTS: `127.0.0.1:${slow.port}`,
      BOT_AUTHORIZED_CHATS: String(GROUP),
      BOT_ADMIN_IDS: String(ADMIN.id),
    });
  });
  after(async () => {
    await server?.close();
    await chat?.close();
    await slow?.close();
    await db?.stop();
  });

  /** What the bot wrote to `userId` (in DMs) since call number `start`. */
  const dmsTo = (userId: number, start: number) =>
    chat.api.calls
      .slice(start)
      .filter((call) => call.method === 'sendMessage' && Number(call.params.chat_id) === userId)
      .map((call) => String(call.params.text));
  /** `from` writes `text` in `chatId`; the bot's one DM answer to them. */
  const ask = async (chatId: number, from: { id: number; name: string }, text: string) => {
    const start = chat.api.calls.length;
    await chat.send(chatId, from, text);
    const [answer] = dmsTo(from.id, start);
    assert.ok(answer !== undefined, `an answer to ${text}`);
    return answer;
  };

  it('retries a cancelled task, no longer followed, by the short id in the "was cancelled" message', async () => {
    const start = chat.api.calls.length;
    const ack = await ask(GROUP, ALICE, `/leech ${slow.url('/Second.Chance.2023.mp4')}`);
    const shortId = /task <code>([0-9a-f]{8})<\/code>/.exec(ack)?.[1];
    assert.ok(shortId, ack);
    assert.match(await ask(GROUP, ALICE, `/cancel ${shortId}`), /^Cancelled <b>Second\.Chance/);

    await chat.waitForCall(
      'the "was cancelled" message',
      (call) => chat.api.calls.indexOf(call) >= start && /was cancelled/.test(String(call.params.text)),
    );
    const cancelled = dmsTo(ALICE.id, start).find((text) => /was cancelled/.test(text))!;
    assert.match(cancelled, new RegExp(`Retry with <code>/retry ${shortId}</code>`));

    // The worker may still be letting go of the cancelled download: then the bot says to wait.
    const retried = await eventually(
      () => ask(GROUP, ALICE, `/retry ${shortId}`),
      (answer) => !/still stopping/.test(answer),
      { timeoutMs: 30000, intervalMs: 1000, what: 'the retry accepted' },
    );
    assert.match(retried, /^Retrying <b>Second\.Chance/);
    const task = (await server.app.get(IngestService).list()).find((t) => t.taskId.startsWith(shortId))!;
    assert.notEqual(task.state, 'cancelled');
    const again = chat.api.calls.length;
    await server.app.get(IngestService).cancel(task.taskId, {
      kind: 'user',
      id: task.requester.id,
      name: task.requester.name,
      via: 'telegram',
    });
    await chat.waitForCall(
      'cancelled again',
      (call) => chat.api.calls.indexOf(call) >= again && /was cancelled/.test(String(call.params.text)),
    );
  });

  it("resolves a short id among the user's own tasks (an admin's among all), and says when it is ambiguous", async () => {
    await ask(GROUP, BOB, '/help'); // Bob's account
    const users = server.app.get(UserService);
    const alice = (await users.findByTelegramId(ALICE.id))!;
    const bob = (await users.findByTelegramId(BOB.id))!;
    const repository = server.app.get(IngestTaskRepository);
    const failedTask = async (id: string, requester: { id: string; username: string }) => {
      await repository.insert({
        _id: id,
        source: `https://files.example/${id}.mp4`,
        sourceKey: `https://files.example/${id}.mp4`,
        sourceKind: 'http',
        requester: { id: requester.id, name: requester.username, role: 'uploader' },
      });
      await repository.update(id, { error: 'the source answered 404' }, 'failed');
    };
    await failedTask('abcd0000-0000-4000-8000-000000000001', alice);
    await failedTask('abcd0000-1111-4000-8000-000000000002', alice);
    await failedTask('bbbb0000-0000-4000-8000-000000000001', bob);

    assert.equal(
      await ask(GROUP, ALICE, '/retry abcd0000'),
      '⚠️ More than one task id starts with abcd0000; send more of it, or the whole id.',
    );
    assert.equal(
      await ask(GROUP, ALICE, '/cancel abcd0000-1'),
      '⚠️ The task is already failed.',
      'a longer prefix names one task',
    );
    assert.equal(
      await ask(GROUP, ALICE, '/cancel bbbb0000'),
      '⚠️ None of your tasks has an id starting with bbbb0000.',
      "someone else's task is not found by its short id",
    );
    assert.equal(await ask(GROUP, ADMIN, '/cancel bbbb0000'), '⚠️ The task is already failed.');
    assert.match(
      await ask(GROUP, ALICE, '/retry'),
      /^⚠️ Send \/retry &lt;task id&gt;: the short id the bot showed/,
    );
  });
});
