import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { UserService } from '../../src/auth/user.service.js';
import { BOT_API_DOWNLOAD_LIMIT } from '../../src/ingest/engines/telegram-file.engine.js';
import { IngestService, type TaskView } from '../../src/ingest/ingest.service.js';
import { LibraryService } from '../../src/library/library.service.js';
import { Types } from 'mongoose';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { type BotChat, startBotChat } from '../support/bot-chat.js';
import { eventually } from '../support/eventually.js';
import { type FakeBotApi } from '../support/fake-bot-api.js';
import { type InProcessApp } from '../support/in-process-app.js';
import { noisyVideo, testVideo } from '../support/media.js';
import { TelegramSimulator } from '../support/telegram-simulator.js';

const BOT_ID = '123456789';
const TOKEN = `${BOT_ID}:AAHfakeTokenForStreamVaultTests_0123456`;
const ALICE = { id: 1001, name: 'Alice' };
const BOB = { id: 1002, name: 'Bob' };

/** What a Bot API update carries for a video; `size` is what Telegram reports. */
const videoOf = (fileId: string, uniqueId: string, fileName: string, size: number) => ({
  video: {
    file_id: fileId,
    file_unique_id: uniqueId,
    file_name: fileName,
    mime_type: 'video/mp4',
    file_size: size,
    duration: 2,
    width: 320,
    height: 240,
  },
});

/** The task made from the file Telegram knows as `uniqueId`. */
async function taskOf(server: InProcessApp, uniqueId: string): Promise<TaskView | undefined> {
  const tasks = await server.app.get(IngestService).list();
  return tasks.find((task) => task.source.startsWith(`tg://file/${uniqueId}/`));
}

describe('telegram bot: files sent to it, through the Bot API (local storage, no MTProto gateway)', () => {
  let db: TestDatabase;
  let chat: BotChat;
  let api: FakeBotApi;
  let server: InProcessApp;
  const small = testVideo(2);

  before(async () => {
    db = await startTestDatabase();
    chat = await startBotChat(TOKEN);
    api = chat.api;
    server = await chat.startApp({
      MONGODB_URI: db.uri,
      ROLE: 'all',
      // Alice's private chat with the bot is authorized; Bob is nobody to it.
      BOT_AUTHORIZED_CHATS: String(ALICE.id),
    });
  });
  after(async () => {
    await server?.close();
    await chat?.close();
    await db?.stop();
  });

  it('a small video sent by an authorized user is fetched with getFile, filed, and captioned back', async () => {
    api.addFile('video-small', 'videos/file_1.mp4', small.bytes);
    const start = api.calls.length;
    await chat.send(
      ALICE.id,
      ALICE,
      '',
      videoOf('video-small', 'uq-small', 'Sent.Clip.2019.mp4', small.bytes.length),
    );

    const ack = api.calls.slice(start).find((c) => c.method === 'sendMessage');
    assert.ok(ack, 'the file is acknowledged');
    assert.equal(Number(ack.params.chat_id), ALICE.id);
    assert.match(String(ack.params.text), /Added to the queue: <b>Sent\.Clip\.2019\.mp4<\/b>/);

    const completion = await chat.waitForCall(
      'completion caption',
      (c) => c.method === 'sendPhoto' && Number(c.params.chat_id) === ALICE.id,
      90000,
    );
    assert.match(String(completion.params.caption), /Sent Clip<\/b> \(2019\)/);
    assert.match(String(completion.params.caption), /240p · [\d.]+ KiB · 0:02/);

    const getFile = api.calls.slice(start).filter((c) => c.method === 'getFile');
    assert.deepEqual(
      getFile.map((c) => c.params.file_id),
      ['video-small'],
      'fetched through the Bot API',
    );
    const task = (await taskOf(server, 'uq-small'))!;
    assert.deepEqual([task.state, task.engine, task.fileName], ['done', 'telegram', 'Sent.Clip.2019.mp4']);
    assert.equal(task.requester.name, `tg-${ALICE.id}`);
    const title = await server.app.get(LibraryService).requireTitle(new Types.ObjectId(task.titleId!));
    assert.deepEqual([title.name, title.year], ['Sent Clip', 2019]);
    const file = await server.app.get(LibraryService).requireFile(new Types.ObjectId(task.fileIds[0]));
    assert.equal(file.size, small.bytes.length, 'the stored file is the sent one');
  });

  it('an unauthorized sender gets the refusal, and nothing is fetched or queued', async () => {
    api.addFile('video-bob', 'videos/file_2.mp4', small.bytes);
    const start = api.calls.length;
    await chat.send(BOB.id, BOB, '', videoOf('video-bob', 'uq-bob', 'Bobs.Clip.mp4', small.bytes.length));
    // Only Bob's chat: Alice's finished task may still be tidying her chat meanwhile.
    const calls = api
      .significant()
      .filter((c) => api.calls.indexOf(c) >= start && Number(c.params.chat_id) === BOB.id);
    assert.equal(
      api.calls.slice(start).filter((c) => c.method === 'getFile').length,
      0,
      'nothing fetched for Bob',
    );
    assert.equal(calls.length, 1, JSON.stringify(calls));
    assert.deepEqual([calls[0].method, Number(calls[0].params.chat_id)], ['sendMessage', BOB.id]);
    assert.match(String(calls[0].params.text), /not authorized/);
    assert.equal(await taskOf(server, 'uq-bob'), undefined);
  });

  it("a Telegram file's address submitted as a link is refused: only the bot reaches the file engine", async () => {
    const task = (await taskOf(server, 'uq-small'))!;
    const alice = await server.app.get(UserService).findByTelegramId(ALICE.id);
    await assert.rejects(
      server.app.get(IngestService).submit({
        url: task.source,
        requester: { kind: 'user', id: alice!.id, name: alice!.username, role: 'uploader', via: 'telegram' },
      }),
      /tg: links are not allowed/,
    );
  });

  it('a file over the Bot API download limit, with no MTProto gateway, fails with a readable message', async () => {
    const size = BOT_API_DOWNLOAD_LIMIT + 5 * 1024 * 1024;
    const start = api.calls.length;
    await chat.send(ALICE.id, ALICE, '', videoOf('video-big', 'uq-big', 'Too.Big.For.Bots.mkv', size));
    const failure = await chat.waitForCall(
      'failure message',
      (c) =>
        api.calls.indexOf(c) >= start &&
        c.method === 'sendMessage' &&
        Number(c.params.chat_id) === ALICE.id &&
        /Too\.Big\.For\.Bots\.mkv/.test(String(c.params.text)) &&
        /Bot API/.test(String(c.params.text)),
      90000,
    );
    assert.match(
      String(failure.params.text),
      /❌ <b>Too\.Big\.For\.Bots\.mkv<\/b> failed: the file is 25\.0 MiB, over the 20\.0 MiB a bot may download through the Bot API; larger files need STORAGE=telegram with this bot's token in TELEGRAM_BOT_TOKENS/,
    );
    const task = (await taskOf(server, 'uq-big'))!;
    assert.equal(task.state, 'failed');
    assert.equal(task.attempts, 1, 'not retried: retrying cannot help');
    assert.equal(api.calls.slice(start).filter((c) => c.method === 'getFile').length, 0);
  });
});

describe('telegram bot: a file over the Bot API limit comes through the MTProto gateway as the bot', () => {
  let db: TestDatabase;
  let chat: BotChat;
  let api: FakeBotApi;
  let server: InProcessApp;
  let telegram: TelegramSimulator;
  const big = noisyVideo(2);

  before(async () => {
    db = await startTestDatabase();
    chat = await startBotChat(TOKEN);
    api = chat.api;
    // The storage gateway holds a session of this same bot: only it can read what users sent the bot.
    telegram = new TelegramSimulator({ sessions: [`bot:${BOT_ID}`] });
    server = await chat.startApp(
      {
        MONGODB_URI: db.uri,
        ROLE: 'all',
        STORAGE: 'telegram',
        TELEGRAM_API_ID: '12345',
        TELEGRAM_API_HASH: '0123456789abcdef0123456789abcdef',
        TELEGRAM_STORAGE_CHANNEL: '-1001234567890',
        TELEGRAM_BOT_TOKENS: TOKEN,
        BOT_AUTHORIZED_CHATS: String(ALICE.id),
      },
      { telegram },
    );
  });
  after(async () => {
    await server?.close();
    await chat?.close();
    await db?.stop();
  });

  it('reads the sent file block by block over MTProto, never asking the Bot API for it, and files it', async () => {
    assert.ok(big.bytes.length > BOT_API_DOWNLOAD_LIMIT, `the video is ${big.bytes.length} bytes`);
    const start = api.calls.length;
    const { messageId, updateId } = api.message(
      ALICE.id,
      ALICE,
      'Noise Test 2020',
      videoOf('video-huge', 'uq-huge', 'noise.mp4', big.bytes.length),
    );
    // What Telegram holds for the bot: the message's document, readable by the bot's own session.
    telegram.sendToBot(BOT_ID, { chatId: ALICE.id, messageId }, big.bytes);
    await eventually(async () => api.handled(updateId), Boolean, { timeoutMs: 45000, what: 'file handled' });

    const completion = await chat.waitForCall(
      'completion caption',
      (c) => c.method === 'sendPhoto' && Number(c.params.chat_id) === ALICE.id,
      120000,
    );
    assert.match(String(completion.params.caption), /Noise Test<\/b> \(2020\)/);
    assert.equal(api.calls.slice(start).filter((c) => c.method === 'getFile').length, 0);
    const task = (await taskOf(server, 'uq-huge'))!;
    assert.deepEqual([task.state, task.engine], ['done', 'telegram']);
    const file = await server.app.get(LibraryService).requireFile(new Types.ObjectId(task.fileIds[0]));
    assert.equal(file.size, big.bytes.length);
    const reads = telegram.calls.filter((c) => c.session === `bot:${BOT_ID}` && c.messageId === -1);
    assert.equal(reads.length, Math.ceil(big.bytes.length / (1024 * 1024)), 'one 1 MiB block at a time');
    assert.deepEqual(telegram.violations, [], 'no request broke upload.GetFile rules');
  });
});
