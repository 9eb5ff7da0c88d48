import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AppConfig } from '../../src/core/config/app-config.js';
import { BotNotifier } from '../../src/bot/delivery/bot-notifier.service.js';
import { cutText, shownLength } from '../../src/bot/format/text-format.js';
import { type BotGateway } from '../../src/bot/gateway/telegraf-bot.gateway.js';

/** A notifier on a gateway that records what it was asked to send. */
function notifierWithGateway() {
  const sent: { method: 'sendPhoto' | 'send'; chat: number | string; html: string }[] = [];
  const gateway = {
    sendPhoto: async (chat: number | string, _photo: Buffer, html: string) =>
      void sent.push({ method: 'sendPhoto', chat, html }),
    send: async (chat: number | string, html: string) => void sent.push({ method: 'send', chat, html }),
  } as unknown as BotGateway;
  const config = { bot: {} } as unknown as AppConfig;
  return { notifier: new BotNotifier(config, gateway), sent };
}

const ALICE = { user: { id: 7, name: 'Alice' }, chatId: 7, private: true };

describe('BotNotifier (what reaches a chat)', () => {
  it('counts a text as Telegram does: tags left out, an entity one character', () => {
    assert.equal(shownLength('<b>a &lt;b&gt;</b> <a href="https://x.example/very/long">go</a>'), 8);
  });

  it('sends a photo with the text as its caption while the text fits one', async () => {
    const { notifier, sent } = notifierWithGateway();
    await notifier.tell(ALICE, `<b>${'x'.repeat(1000)}</b>`, { photo: Buffer.from('jpeg') });
    assert.deepEqual(
      sent.map((s) => s.method),
      ['sendPhoto'],
    );
  });

  it('sends a text too long for a caption (1,024) as a message instead of losing it', async () => {
    const { notifier, sent } = notifierWithGateway();
    const html = `<b>${'x'.repeat(1100)}</b>`;
    await notifier.tell(ALICE, html, { photo: Buffer.from('jpeg') });
    assert.deepEqual(sent, [{ method: 'send', chat: 7, html }]);
  });

  it('sends a text too long for any message without its markup, cut short, rather than not at all', async () => {
    const { notifier, sent } = notifierWithGateway();
    const html = `⚠️ <b>Refused</b>: ${'&lt;x&gt;'.repeat(2000)} <a href="https://x.example/">more</a>`;
    await notifier.tell(ALICE, html);
    assert.equal(sent.length, 1);
    assert.ok(shownLength(sent[0].html) <= 4096, String(shownLength(sent[0].html)));
    assert.match(sent[0].html, /^⚠️ Refused: (&lt;x&gt;)+/);
    assert.match(sent[0].html, /\.\.\.$/);
    assert.doesNotMatch(sent[0].html, /<b>|<a /);
  });

  it('counts as Telegram does when cutting too: an emoji is two units, and never split', async () => {
    const { notifier, sent } = notifierWithGateway();
    await notifier.tell(ALICE, `<b>${'😀'.repeat(5000)}</b>`);
    assert.ok(shownLength(sent[0].html) <= 4096, String(shownLength(sent[0].html)));
    assert.ok(sent[0].html.isWellFormed(), 'no half emoji');
    assert.equal(cutText('😀😀😀😀', 7), '😀😀...');
    assert.equal(cutText('abc', 3), 'abc');
  });
});
