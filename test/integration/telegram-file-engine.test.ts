import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { TelegramFileEngine } from '../../src/ingest/engines/telegram-file.engine.js';
import { type FakeBotApi, startFakeBotApi } from '../support/fake-bot-api.js';
import { tempDir } from '../support/media.js';

const TOKEN = '123456789:AAHfakeTokenForStreamVaultTests_0123456';

describe('telegram file engine (Bot API)', () => {
  let api: FakeBotApi;
  before(async () => {
    api = await startFakeBotApi(TOKEN);
  });
  after(async () => {
    await api?.close();
  });

  it('shortens a long non-ASCII file name to the 255 bytes a file name may take, keeping its extension', async () => {
    const bytes = randomBytes(64 * 1024);
    api.addFile('long-name', 'videos/file_7.mkv', bytes);
    const engine = new TelegramFileEngine({ token: TOKEN, apiRoot: api.apiRoot }, null);
    const dir = tempDir('sv-tgfile-');
    // 100 Japanese characters are 300 bytes: cut by characters (200) they still were too long to write.
    const result = await engine.download({
      file: {
        fileId: 'long-name',
        fileUniqueId: 'uq-long',
        fileName: `${'映'.repeat(100)}.mkv`,
        size: bytes.length,
        chatId: 1,
        messageId: 1,
      },
      dir,
      signal: new AbortController().signal,
      maxBytes: 1024 * 1024,
      onProgress: () => undefined,
    });
    assert.ok(Buffer.byteLength(result.fileName) <= 255, `${Buffer.byteLength(result.fileName)} bytes`);
    assert.match(result.fileName, /^映+\.mkv$/);
    assert.deepEqual(readdirSync(dir), [result.fileName]);
    assert.deepEqual(readFileSync(result.path), bytes);
  });
});
