import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type BotChat, startBotChat } from '../support/bot-chat.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { type InProcessApp } from '../support/in-process-app.js';

const TOKEN = '123456789:AAHfakeTokenForStreamVaultTests_0123456';
const GROUP = -1001000000031;
const ALICE = { id: 4001, name: 'Alice' };
const BOB = { id: 4002, name: 'Bob' };
const CAROL = { id: 4003, name: 'Carol' };

type Member = { id: number; name: string };

/** `from` writes `text` in the group `times` times; what the bot sent anywhere meanwhile. */
async function spamGroup(chat: BotChat, from: Member, text: string, times: number) {
  const start = chat.api.calls.length;
  for (let i = 0; i < times; i++) await chat.send(GROUP, from, text);
  return chat.api.significant().filter((call) => chat.api.calls.indexOf(call) >= start);
}

describe('telegram bot: per-user command limits', () => {
  let db: TestDatabase;
  let chat: BotChat;
  let server: InProcessApp;

  before(async () => {
    db = await startTestDatabase();
    chat = await startBotChat(TOKEN);
    server = await chat.startApp({ MONGODB_URI: db.uri, ROLE: 'all', BOT_AUTHORIZED_CHATS: String(GROUP) });
  });
  after(async () => {
    await server?.close();
    await chat?.close();
    await db?.stop();
  });

  const spam = (from: Member, text: string, times: number) => spamGroup(chat, from, text, times);

  it('answers 20 commands a minute from one member, says so once at the 21st, then is silent', async () => {
    const calls = await spam(ALICE, '/status', 23);
    const sent = calls.map((call) => ({
      method: call.method,
      to: Number(call.params.chat_id),
      text: String(call.params.text),
    }));
    assert.equal(sent.length, 21, JSON.stringify(sent));
    for (const answer of sent.slice(0, 20))
      assert.deepEqual(answer, {
        method: 'sendMessage',
        to: ALICE.id,
        text: 'No active tasks in this chat.',
      });
    assert.equal(sent[20].to, ALICE.id, 'told in a DM, not in the group');
    assert.match(sent[20].text, /^You are sending me commands too fast; try again in \d+ s\.$/);

    const [bob] = await spam(BOB, '/status', 1);
    assert.equal(String(bob?.params.text), 'No active tasks in this chat.', 'others are not limited');
  });

  it('gives one member 3 sign-in links in 10 minutes', async () => {
    const calls = await spam(CAROL, '/login', 5);
    assert.equal(calls.length, 4, JSON.stringify(calls.map((call) => call.params.text)));
    for (const call of calls.slice(0, 3)) assert.match(String(call.params.text), /Sign in to StreamVault/);
    assert.equal(
      String(calls[3].params.text),
      'You asked for 3 sign-in links in 10 minutes; ask again in 10 min.',
    );
  });
});

describe('telegram bot: per-user command limits as the operator set them', () => {
  let db: TestDatabase;
  let chat: BotChat;
  let server: InProcessApp;

  before(async () => {
    db = await startTestDatabase();
    chat = await startBotChat(TOKEN);
    server = await chat.startApp({
      MONGODB_URI: db.uri,
      ROLE: 'all',
      BOT_AUTHORIZED_CHATS: String(GROUP),
      BOT_COMMANDS_PER_MINUTE: '2',
      BOT_LOGINS_PER_10_MINUTES: '1',
    });
  });
  after(async () => {
    await server?.close();
    await chat?.close();
    await db?.stop();
  });

  const spam = (from: Member, text: string, times: number) => spamGroup(chat, from, text, times);

  it('answers BOT_COMMANDS_PER_MINUTE commands a minute, then says so once', async () => {
    const calls = await spam(ALICE, '/status', 4);
    const texts = calls.map((call) => String(call.params.text));
    assert.deepEqual(texts.slice(0, 2), ['No active tasks in this chat.', 'No active tasks in this chat.']);
    assert.match(texts[2], /^You are sending me commands too fast; try again in \d+ s\.$/);
    assert.equal(texts.length, 3, JSON.stringify(texts));
  });

  it('gives BOT_LOGINS_PER_10_MINUTES sign-in links in 10 minutes, and says how many', async () => {
    const texts = (await spam(BOB, '/login', 2)).map((call) => String(call.params.text));
    assert.equal(texts.length, 2, JSON.stringify(texts));
    assert.match(texts[0], /Sign in to StreamVault/);
    assert.equal(texts[1], 'You asked for 1 sign-in link in 10 minutes; ask again in 10 min.');
  });
});
