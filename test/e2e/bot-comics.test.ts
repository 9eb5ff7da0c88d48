import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pageImage } from '../support/comics.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { type BotChat, startBotChat } from '../support/bot-chat.js';
import { startFixtureServer } from '../support/fixture-server.js';
import { type InProcessApp } from '../support/in-process-app.js';
import { makeZip } from '../support/zip.js';

const TOKEN = '123456789:AAHfakeTokenForStreamVaultTests_0123456';
const GROUP = -1001000000011;
const ALICE = { id: 2001, name: 'Alice' };

describe('telegram bot: /leech of a manga pack names the series and its chapters', () => {
  let db: TestDatabase;
  let chat: BotChat;
  let server: InProcessApp;
  let pack: Awaited<ReturnType<typeof startFixtureServer>>;

  before(async () => {
    db = await startTestDatabase();
    chat = await startBotChat(TOKEN);
    const chapter = async (shade: number) =>
      makeZip([
        { name: '01.jpg', content: await pageImage(400, 600, shade, 'jpeg') },
        { name: '02.jpg', content: await pageImage(400, 600, shade + 5, 'jpeg') },
      ]);
    pack = await startFixtureServer({
      body: makeZip([
        { name: 'Night Ferry/Night Ferry v01 c001.cbz', content: await chapter(30) },
        { name: 'Night Ferry/Night Ferry v01 c002.cbz', content: await chapter(60) },
        { name: 'Night Ferry/credits.txt', content: Buffer.from('scanned by nobody') },
      ]),
      headers: { 'content-type': 'application/zip' },
    });
    server = await chat.startApp({
      MONGODB_URI: db.uri,
      ROLE: 'all',
      INGEST_ALLOW_HOSTS: `127.0.0.1:${pack.port}`,
      BOT_AUTHORIZED_CHATS: String(GROUP),
    });
  });
  after(async () => {
    await server?.close();
    await chat?.close();
    await pack?.close();
    await db?.stop();
  });

  it('tells the sender the series, each chapter added, and links to the series page', async () => {
    const start = chat.api.calls.length;
    await chat.send(GROUP, ALICE, `/leech ${pack.url('/Night.Ferry.Vol.1.zip')}`);
    const done = await chat.waitForCall(
      'the completion message',
      (call) =>
        chat.api.calls.indexOf(call) >= start &&
        call.method === 'sendMessage' &&
        Number(call.params.chat_id) === ALICE.id &&
        /chapters? added/.test(String(call.params.text)),
      120_000,
    );
    const lines = String(done.params.text).split('\n');
    assert.deepEqual(lines.slice(0, 3), [
      '✅ <b>Night Ferry</b> · 2 chapters added',
      '• volume 1, chapter 1, 2 pages',
      '• volume 1, chapter 2, 2 pages',
    ]);
    const link = /href="([^"]+)"/.exec(lines.at(-1) ?? '')?.[1];
    assert.ok(link, 'a link to read it');
    const path = new URL(link.replace(/&amp;/g, '&')).pathname;
    assert.match(path, /^\/title\/[0-9a-f]{24}$/);
    const page = await fetch(`${server.url}${path}`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Night Ferry/);
  });
});
