import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { formatBytes } from '../../src/core/util/format-units.js';
import { IngestService } from '../../src/ingest/ingest.service.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { type BotChat, callSummary, startBotChat } from '../support/bot-chat.js';
import { type BotApiCall, type FakeBotApi } from '../support/fake-bot-api.js';
import { startFixtureServer } from '../support/fixture-server.js';
import { TestClient } from '../support/http.js';
import { type InProcessApp } from '../support/in-process-app.js';
import { testVideo } from '../support/media.js';

const TOKEN = '123456789:AAHfakeTokenForStreamVaultTests_0123456';
const GROUP = -1001000000001;
const ADMIN_CHANNEL = -1001000000099;
const STRANGERS = -1002000000002;
const ALICE = { id: 1001, name: 'Alice' };
const BOB = { id: 1002, name: 'Bob' };
const ADMIN = { id: 1003, name: 'Ada' };
const INTERVAL_MS = 3000;

describe('telegram bot: silent manager against a fake Bot API', () => {
  let db: TestDatabase;
  let chat: BotChat;
  let api: FakeBotApi;
  let server: InProcessApp;
  let fast: Awaited<ReturnType<typeof startFixtureServer>>;
  let slow: Awaited<ReturnType<typeof startFixtureServer>>;
  let slower: Awaited<ReturnType<typeof startFixtureServer>>;
  const video = testVideo(2);
  // Other content than `video`: identical bytes would be reused as the same library file.
  const fastVideo = testVideo(3);

  before(async () => {
    db = await startTestDatabase();
    chat = await startBotChat(TOKEN);
    api = chat.api;
    fast = await startFixtureServer({ body: fastVideo.bytes });
    // Slow enough for several status rounds while downloading (20 s: under load a round can take seconds).
    slow = await startFixtureServer({ body: video.bytes, throttle: Math.ceil(video.bytes.length / 20) });
    slower = await startFixtureServer({ body: video.bytes, throttle: Math.ceil(video.bytes.length / 30) });
    server = await chat.startApp({
      MONGODB_URI: db.uri,
      ROLE: 'all',
      INGEST_ALLOW_HOSTS: [fast, slow, slower].map((f) => `127.0.0.1:${f.port}`).join(','),
      BOT_AUTHORIZED_CHATS: String(GROUP),
      BOT_ADMIN_IDS: String(ADMIN.id),
      BOT_ADMIN_CHANNEL: String(ADMIN_CHANNEL),
      STATUS_INTERVAL: String(INTERVAL_MS / 1000),
    });
  });
  after(async () => {
    await server?.close();
    await chat?.close();
    await fast?.close();
    await slow?.close();
    await slower?.close();
    await db?.stop();
  });

  /** Calls since `start` (an index into api.calls) to these chats. */
  const callsFrom = (start: number, chats: number[]) =>
    api.calls
      .slice(start)
      .filter((c) => c.method !== 'getUpdates' && chats.includes(Number(c.params.chat_id)));
  const taskOf = async (url: string) =>
    (await server.app.get(IngestService).list()).find((task) => task.source === url);

  it('connects, registers its commands and starts long polling', async () => {
    await chat.waitForCall('setMyCommands', (c) => c.method === 'setMyCommands', 10000);
    const methods = api.significant().map((c) => c.method);
    assert.equal(methods[0], 'getMe');
    assert.ok(methods.includes('deleteWebhook'), 'long polling clears any webhook first');
    const commands = api.calls.find((c) => c.method === 'setMyCommands')!.params.commands as {
      command: string;
    }[];
    assert.deepEqual(
      commands.map((c) => c.command),
      ['leech', 'status', 'cancel', 'retry', 'search', 'login', 'health', 'stats', 'help'],
    );
  });

  it('refuses an unauthorized chat once, politely, and creates no task', async () => {
    const start = api.significant().length;
    const url = fast.url('/Stranger.Danger.mp4');
    await chat.send(STRANGERS, ALICE, `/leech ${url}`);
    await chat.send(STRANGERS, BOB, '/search anything');
    await chat.send(STRANGERS, ALICE, '/unknowncommand');
    const calls = api.significant().slice(start);
    assert.equal(calls.length, 1, JSON.stringify(calls));
    assert.equal(calls[0].method, 'sendMessage');
    assert.equal(Number(calls[0].params.chat_id), STRANGERS);
    assert.match(String(calls[0].params.text), /not authorized/);
    assert.equal(await taskOf(url), undefined);
  });

  it('/login sends a magic link in a DM (never in the group) that signs the browser in', async () => {
    const start = api.significant().length;
    await chat.send(GROUP, ALICE, '/login');
    const calls = api.significant().slice(start);
    assert.deepEqual(
      calls.map((c) => [c.method, Number(c.params.chat_id)]),
      [['sendMessage', ALICE.id]],
    );
    const href = /href="([^"]+)"/.exec(String(calls[0].params.text))?.[1];
    assert.ok(href, 'the DM holds a link');
    const browser = new TestClient(server.url);
    const landing = await browser.get(new URL(href.replace(/&amp;/g, '&')).pathname);
    assert.equal(landing.status, 303);
    const me = await browser.get('/api/auth/me');
    assert.equal(me.status, 200);
    assert.deepEqual([me.body.kind, me.body.name, me.body.role], ['user', `tg-${ALICE.id}`, 'uploader']);
  });

  it('/leech in a group: DM ack, one status message edited as it moves, trigger and status deleted at the end', async () => {
    const start = api.calls.length;
    const url = slow.url('/Test.Clip.2021.mp4');
    const trigger = await chat.send(GROUP, ALICE, `/leech ${url} Test Clip 2021`);
    const task = await taskOf(url);
    assert.ok(task, 'a task was created');

    const post = await chat.waitForCall(
      'status message posted',
      (c) =>
        c.method === 'sendMessage' && Number(c.params.chat_id) === GROUP && api.calls.indexOf(c) >= start,
    );
    const statusId = messageIdOf(post);
    await chat.waitForCall(
      'status message deleted',
      (c) => c.method === 'deleteMessage' && Number(c.params.message_id) === statusId,
      90000,
    );
    const calls = callsFrom(start, [GROUP, ALICE.id]);
    assert.ok(
      calls.every((c) => !c.failed),
      JSON.stringify(calls.filter((c) => c.failed)),
    );

    const [ack, posted, ...rest] = calls;
    assert.equal(posted, post);
    assert.deepEqual([ack.method, Number(ack.params.chat_id)], ['sendMessage', ALICE.id]);
    assert.match(String(ack.params.text), /Added to the queue: <b>Test Clip 2021<\/b>/);
    assert.deepEqual([post.method, Number(post.params.chat_id)], ['sendMessage', GROUP]);
    assert.match(String(post.params.text), /Test Clip 2021/);

    const edits = rest.slice(0, -3);
    const [completion, deleteTrigger, deleteStatus] = rest.slice(-3);
    assert.ok(edits.length >= 2, `the status moved (${edits.length} edits)`);
    for (const edit of edits) {
      assert.equal(edit.method, 'editMessageText');
      assert.equal(Number(edit.params.chat_id), GROUP);
      assert.equal(Number(edit.params.message_id), statusId);
    }
    const shown = [post, ...edits];
    for (let i = 1; i < shown.length; i++) {
      assert.notEqual(shown[i].params.text, shown[i - 1].params.text, 'never the same text twice');
      assert.ok(shown[i].at - shown[i - 1].at >= INTERVAL_MS - 50, 'never more often than the interval');
    }
    assert.ok(
      edits.some((e) =>
        /\[█+░+\] \d+\.\d%\n[\d.]+ KiB of [\d.]+ KiB · [\d.]+ (KiB|B)\/s · ETA \d+s\ndirect · downloading/.test(
          String(e.params.text),
        ),
      ),
      'a partial progress bar while downloading',
    );
    assert.match(String(edits[0].params.text), /CPU \d+% · RAM \d+% · free disk/);
    assert.deepEqual(edits[0].params.reply_markup, {
      inline_keyboard: [[{ text: '✖ Cancel 1', callback_data: `cancel:${task.taskId}` }]],
    });

    assert.deepEqual([completion.method, Number(completion.params.chat_id)], ['sendPhoto', ALICE.id]);
    const photo = (completion.params.photo as { file: Buffer }).file;
    assert.deepEqual([...photo.subarray(0, 2)], [0xff, 0xd8], 'a JPEG still');
    const caption = String(completion.params.caption);
    assert.match(caption, /Test Clip<\/b> \(2021\)/);
    assert.match(caption, /240p · [\d.]+ KiB · 0:02/);
    const watch = /href="([^"]+)"/.exec(caption)![1].replace(/&amp;/g, '&');
    const page = await fetch(watch.replace(server.config.http.publicUrl, server.url));
    assert.equal(page.status, 200, 'the signed watch link opens the player');

    assert.deepEqual(
      [deleteTrigger.method, Number(deleteTrigger.params.message_id)],
      ['deleteMessage', trigger],
    );
    assert.deepEqual(
      [deleteStatus.method, Number(deleteStatus.params.message_id)],
      ['deleteMessage', statusId],
    );
    assert.equal((await taskOf(url))?.state, 'done');
  });

  it('a user the bot cannot DM (403) is answered in the admin channel, mentioned, acknowledgement and result', async () => {
    api.block(BOB.id);
    const start = api.calls.length;
    const url = fast.url('/Blocked.User.Upload.2020.mp4');
    await chat.send(GROUP, BOB, `/leech ${url}`);
    const ack = callsFrom(start, [BOB.id, ADMIN_CHANNEL]).slice(0, 2);
    assert.deepEqual(
      ack.map((c) => [c.method, Number(c.params.chat_id), c.failed?.code]),
      [
        ['sendMessage', BOB.id, 403],
        ['sendMessage', ADMIN_CHANNEL, undefined],
      ],
    );
    assert.match(String(ack[1].params.text), /<a href="tg:\/\/user\?id=1002">Bob<\/a>/);
    assert.match(String(ack[1].params.text), /Added to the queue/);

    await chat.waitForCall(
      'result in the admin channel',
      (c) => c.method === 'sendPhoto' && Number(c.params.chat_id) === ADMIN_CHANNEL && !c.failed,
      60000,
    );
    const result = callsFrom(start, [BOB.id, ADMIN_CHANNEL]).filter((c) => c.method === 'sendPhoto');
    assert.deepEqual(
      result.map((c) => [Number(c.params.chat_id), c.failed?.code]),
      [
        [BOB.id, 403],
        [ADMIN_CHANNEL, undefined],
      ],
    );
    assert.match(String(result[1].params.caption), /Bob<\/a>[\s\S]*Blocked User Upload/);
    await chat.waitForCall(
      'group status deleted',
      (c) =>
        c.method === 'deleteMessage' &&
        Number(c.params.chat_id) === GROUP &&
        api.calls.indexOf(c) > start &&
        !c.failed &&
        api.isDeleted(Number(c.params.message_id)) &&
        Number(c.params.message_id) !== 0,
      30000,
    );
  });

  it('429 pauses the chat for retry_after; the cancel button cancels the task and answers the callback', async () => {
    const start = api.calls.length;
    const url = slower.url('/Rate.Limited.Clip.2022.mp4');
    const trigger = await chat.send(GROUP, ALICE, `/leech ${url}`);
    const task = (await taskOf(url))!;
    const post = await chat.waitForCall(
      'status posted',
      (c) =>
        c.method === 'sendMessage' && Number(c.params.chat_id) === GROUP && api.calls.indexOf(c) >= start,
    );
    const statusId = messageIdOf(post);
    api.failNext('editMessageText', (p) => Number(p.chat_id) === GROUP, {
      code: 429,
      description: 'Too Many Requests: retry after 5',
      retryAfter: 5,
    });
    const limited = await chat.waitForCall('an edit answered 429', (c) => c.failed?.code === 429);
    const resumed = await chat.waitForCall(
      'the next edit',
      (c) => c.method === 'editMessageText' && !c.failed && c.at > limited.at,
    );
    assert.ok(resumed.at - limited.at >= 5000, `quiet for retry_after (${resumed.at - limited.at} ms)`);
    assert.equal(
      callsFrom(start, [GROUP]).filter((c) => c.at > limited.at && c.at < resumed.at).length,
      0,
      'no call to the chat while paused',
    );

    const { callbackId } = api.callback(GROUP, statusId, ALICE, `cancel:${task.taskId}`);
    const answer = await chat.waitForCall(
      'callback answered',
      (c) => c.method === 'answerCallbackQuery' && c.params.callback_query_id === callbackId,
      10000,
    );
    assert.match(String(answer.params.text), /Cancelled Rate\.Limited\.Clip\.2022\.mp4/);
    assert.equal((await taskOf(url))?.state, 'cancelled');

    await chat.waitForCall(
      'status deleted',
      (c) => c.method === 'deleteMessage' && Number(c.params.message_id) === statusId,
      20000,
    );
    const end = callsFrom(start, [GROUP, ALICE.id]).slice(-3);
    assert.deepEqual(end.map(callSummary), [
      ['sendMessage', ALICE.id, undefined],
      ['deleteMessage', GROUP, trigger],
      ['deleteMessage', GROUP, statusId],
    ]);
    assert.match(String(end[0].params.text), /was cancelled/);
  });

  it('in private: /search gives signed watch links, /health and /stats answer admins only', async () => {
    const start = api.calls.length;
    await chat.send(ADMIN.id, ADMIN, '/search test clip');
    await chat.send(ADMIN.id, ADMIN, '/health');
    await chat.send(ADMIN.id, ADMIN, '/stats');
    await chat.send(ALICE.id, ALICE, '/health');
    const [search, health, stats, refused] = callsFrom(start, [ADMIN.id, ALICE.id]);
    assert.match(String(search.params.text), /<b>1\. Test Clip<\/b> \(2021\) · movie/);
    const watch = /href="([^"]+)"/.exec(String(search.params.text))![1].replace(/&amp;/g, '&');
    assert.equal((await fetch(watch.replace(server.config.http.publicUrl, server.url))).status, 200);
    assert.match(
      String(health.params.text),
      /manager, worker, streamer<\/b> on .*\n.*CPU[\s\S]*Workers: 1\nIngest queue: 0 waiting · 0 running/,
    );
    assert.match(
      String(stats.params.text),
      new RegExp(
        `Titles: 2\nFiles: 2 · ${formatBytes(video.bytes.length + fastVideo.bytes.length, { precise: true })}\nStorage: local disk`,
      ),
    );
    assert.deepEqual(
      [Number(refused.params.chat_id), refused.params.text],
      [ALICE.id, 'Only admins can use /health.'],
    );
    // A query as long as a message may be: quoted whole, the reply would pass Telegram's 4,096
    // characters and never arrive. It is quoted cut short.
    const long = api.calls.length;
    await chat.send(ADMIN.id, ADMIN, `/search <${'q'.repeat(4080)}`);
    const [nothing] = callsFrom(long, [ADMIN.id]);
    assert.equal(nothing.failed, undefined);
    assert.match(String(nothing.params.text), /^Nothing in the library matches “&lt;q{96}\.\.\.”\.$/);
  });
});

function messageIdOf(call: BotApiCall): number {
  return (call.result as { message_id: number }).message_id;
}
