import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommand } from '../../src/bot/commands/bot-commands.js';
import { episodeCode, MESSAGE_LIMIT, progressBar, shownLength } from '../../src/bot/format/text-format.js';
import { type TrackedTask } from '../../src/bot/status/bot-state.repository.js';
import { renderStatus, TASKS_PER_PAGE } from '../../src/bot/status/status-view.js';
import { type TaskView } from '../../src/ingest/ingest.service.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');

function task(n: number, overrides: Partial<TaskView> = {}): { view: TaskView; tracked: TrackedTask } {
  const taskId = `${String(n).padStart(8, '0')}-0000-4000-8000-000000000000`;
  return {
    view: {
      taskId,
      source: `https://media.example.com/files/Show.S01E0${n}.mkv`,
      hint: null,
      state: 'downloading',
      engine: 'direct',
      progress: {
        bytesDone: 256 * 1024 * 1024,
        bytesTotal: 1024 * 1024 * 1024,
        speed: 2 * 1024 * 1024,
        etaSeconds: 384,
      },
      fileName: null,
      error: null,
      attempts: 1,
      fileIds: [],
      reused: false,
      stillsPending: false,
      stuck: false,
      titleId: null,
      titleIds: [],
      items: [],
      itemCounts: { total: 0, done: 0, failed: 0, skipped: 0, unsupported: 0, active: 0 },
      currentItem: null,
      requester: { id: 'u1', name: 'tg-1' },
      createdAt: new Date(NOW - 125_000),
      updatedAt: new Date(NOW),
      ...overrides,
    },
    tracked: { taskId, chatId: -100, userId: 1, userName: 'Alice <3', trackedAt: NOW },
  };
}

const worker = {
  instanceId: 'w1:1',
  roles: ['worker'],
  host: 'box-1',
  pid: 1,
  version: '0.1.0',
  startedAt: new Date(NOW).toISOString(),
  at: new Date(NOW).toISOString(),
  cpuLoad: 0.23,
  memory: { rssBytes: 1, totalBytes: 16 * 2 ** 30, freeBytes: 4 * 2 ** 30 },
  disk: { freeBytes: 120 * 2 ** 30, totalBytes: 500 * 2 ** 30 },
};

describe('bot status message', () => {
  it('shows name, 12-cell bar, percent, sizes, speed, ETA, engine, state, elapsed and a worker footer', () => {
    const { text, keyboard } = renderStatus({
      tasks: [task(1)],
      page: 0,
      workers: [worker],
      uptimeSeconds: 3725,
      now: NOW,
    });
    assert.equal(
      text,
      [
        '<b>StreamVault · 1 active task</b>',
        '',
        '<b>1. Show.S01E01.mkv</b>',
        '[███░░░░░░░░░] 25.0%',
        '256.0 MiB of 1.00 GiB · 2.00 MiB/s · ETA 6m 24s',
        'direct · downloading · 2m 05s · <code>00000001</code> · Alice &lt;3',
        '',
        '⚙ box-1 · CPU 23% · RAM 75% · free disk 120.0 GiB',
        'Bot up 1h 02m',
      ].join('\n'),
    );
    assert.deepEqual(keyboard, [[{ text: '✖ Cancel 1', data: `cancel:${task(1).view.taskId}` }]]);
  });

  it('pages tasks with previous/next buttons and a cancel button per task shown', () => {
    const tasks = Array.from({ length: TASKS_PER_PAGE + 2 }, (_, i) => task(i + 1));
    const second = renderStatus({ tasks, page: 1, workers: [], uptimeSeconds: 5, now: NOW });
    assert.match(second.text, /StreamVault · 6 active tasks/);
    assert.match(second.text, /<b>5\. Show\.S01E05\.mkv<\/b>[\s\S]*<b>6\. /);
    assert.doesNotMatch(second.text, /<b>4\. /);
    assert.match(second.text, /No worker is running[\s\S]*Page 2\/2$/);
    assert.deepEqual(
      second.keyboard.map((row) => row.map((button) => ('data' in button ? button.data : ''))),
      [[`cancel:${tasks[4].view.taskId}`], [`cancel:${tasks[5].view.taskId}`], ['page:0']],
    );
    const clamped = renderStatus({
      tasks: tasks.slice(0, 2),
      page: 3,
      workers: [],
      uptimeSeconds: 5,
      now: NOW,
    });
    assert.equal(clamped.page, 0, 'a page past the end shows the last one');
  });

  it('says what a task does before and after its download', () => {
    const { text } = renderStatus({
      tasks: [
        task(1, { state: 'queued', engine: null, progress: null }),
        task(2, { state: 'uploading', hint: 'Show S01E02' }),
      ],
      page: 0,
      workers: [worker],
      uptimeSeconds: 1,
      now: NOW,
    });
    assert.match(text, /\[░{12}\] 0\.0%\nwaiting for a worker\nengine pending · queued/);
    assert.match(text, /<b>2\. Show S01E02<\/b>\n\[█{12}\] 100%\ndownloaded; uploading/);
  });

  it('shows a pack as "item 4/14" with bytes, then at most 10 item lines and "+N more"', () => {
    const states = ['done', 'done', 'failed', 'processing', ...Array<string>(10).fill('pending')];
    const items = states.map((state, n) => ({
      name: `Pack/Show.S01E${String(n + 1).padStart(2, '0')}.mkv`,
      kind: 'video' as const,
      size: 100 * 1024 * 1024,
      state: state as 'done',
      error: state === 'failed' ? 'not a readable video' : null,
      note: null,
      language: null,
      fileId: null,
      titleId: null,
      reused: false,
    }));
    const { text } = renderStatus({
      tasks: [
        task(1, {
          state: 'processing',
          items,
          itemCounts: { total: 14, done: 2, failed: 1, skipped: 0, unsupported: 0, active: 11 },
          currentItem: 4,
          progress: { bytesDone: 300 * 1024 * 1024, bytesTotal: 1400 * 1024 * 1024, speed: 0 },
        }),
      ],
      page: 0,
      workers: [worker],
      uptimeSeconds: 1,
      now: NOW,
    });
    assert.match(text, /\[███░{9}\] 21\.4%\nitem 4\/14 · 300\.0 MiB of 1\.37 GiB/);
    assert.match(text, /❌ Show\.S01E03\.mkv — not a readable video/);
    assert.match(text, /⚙ Show\.S01E04\.mkv/);
    const lines = text.split('\n').filter((line) => /^(✅|❌|⚙|⏳) Show/.test(line));
    assert.equal(lines.length, 10);
    assert.match(text, /\+4 more/);
  });

  it("stays within Telegram's 4,096 characters with four packs of long failures: fewer item lines each", () => {
    const pack = (n: number) =>
      task(n, {
        hint: `${'Very Long Season Pack Name '.repeat(3)}${n}`,
        state: 'processing',
        items: Array.from({ length: 12 }, (_, i) => ({
          name: `Pack/${'A.Very.Long.Episode.File.Name.'.repeat(2)}E${i}.mkv`,
          kind: 'video' as const,
          size: 1,
          state: 'failed' as const,
          error: 'ffprobe could not read the video stream of this file at all'.repeat(2),
          note: null,
          language: null,
          fileId: null,
          titleId: null,
          reused: false,
        })),
        itemCounts: { total: 12, done: 0, failed: 12, skipped: 0, unsupported: 0, active: 0 },
      });
    const { text } = renderStatus({
      tasks: [1, 2, 3, 4].map(pack),
      page: 0,
      workers: [worker],
      uptimeSeconds: 1,
      now: NOW,
    });
    assert.ok(shownLength(text) <= MESSAGE_LIMIT, String(shownLength(text)));
    assert.match(text, /❌ A\.Very/, 'still some item lines');
    assert.equal((text.match(/^<b>\d\. /gm) ?? []).length, 4, 'every task of the page');
  });

  it('draws progress bars and episode codes', () => {
    assert.deepEqual([episodeCode(1, [2]), episodeCode(10, [11, 12])], ['S01E02', 'S10E11E12']);
    assert.deepEqual(
      [progressBar(0), progressBar(0.5), progressBar(1.2)],
      ['[░░░░░░░░░░░░]', '[██████░░░░░░]', '[████████████]'],
    );
  });

  it('parses commands, with or without the bot name', () => {
    assert.deepEqual(parseCommand('/leech https://x.example/a.mkv Some Hint'), {
      name: 'leech',
      target: undefined,
      args: 'https://x.example/a.mkv Some Hint',
    });
    assert.deepEqual(parseCommand('/Status@sv_bot'), { name: 'status', target: 'sv_bot', args: '' });
    assert.equal(parseCommand('hello /leech'), undefined);
  });
});
