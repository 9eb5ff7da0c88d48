import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { comicCaption } from '../../src/bot/library/completion-caption.js';
import { type ItemView, type TaskView } from '../../src/ingest/ingest.service.js';

function item(fields: Partial<ItemView>): ItemView {
  return {
    name: 'x',
    kind: 'comic',
    size: 1,
    state: 'done',
    error: null,
    note: null,
    language: null,
    fileId: null,
    titleId: null,
    reused: false,
    ...fields,
  };
}

describe('the bot message for comics', () => {
  it('names the series and each chapter added, and links to read it', () => {
    const view = {
      taskId: 't-1',
      items: [
        item({ name: 'Pack/One Piece v01 c001.cbz', note: 'volume 1, chapter 1, 19 pages' }),
        item({ name: 'Pack/One Piece v01 c002.cbz', note: 'volume 1, chapter 2, 21 pages' }),
        item({ name: 'Pack/cover.txt', kind: 'other', state: 'unsupported' }),
        item({ name: 'Pack/One Piece v01 c003.cbr', state: 'failed', error: 'the archive is encrypted' }),
      ],
    } as unknown as TaskView;
    const caption = comicCaption(view, 'One Piece <Color>', 'https://sv.example/title/abc');
    assert.deepEqual(caption.split('\n'), [
      '✅ <b>One Piece &lt;Color&gt;</b> · 2 chapters added',
      '• volume 1, chapter 1, 19 pages',
      '• volume 1, chapter 2, 21 pages',
      '❌ 1 failed:',
      '• One Piece v01 c003.cbr: the archive is encrypted',
      'Retry the failed ones with <code>/retry t-1</code>',
      '<a href="https://sv.example/title/abc">📖 Read</a>',
    ]);
  });

  it('says "chapter" for one', () => {
    const view = { taskId: 't-2', items: [item({ note: 'chapter 12.5, 8 pages' })] } as unknown as TaskView;
    assert.match(
      comicCaption(view, 'Solo', 'https://sv.example/'),
      /^✅ <b>Solo<\/b> · 1 chapter added\n• chapter 12\.5, 8 pages\n/,
    );
  });
});
