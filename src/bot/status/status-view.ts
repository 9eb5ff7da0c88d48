import { type InstanceHeartbeat } from '../../core/heartbeat/instance-heartbeat.js';
import { type TaskView } from '../../ingest/ingest.service.js';
import { type Keyboard, type KeyboardButton } from '../gateway/bot-events.js';
import { formatBytes, formatDuration } from '../../core/util/format-units.js';
import {
  cutText,
  escapeHtml,
  MESSAGE_LIMIT,
  progressBar,
  shortId,
  shownLength,
} from '../format/text-format.js';
import { type TrackedTask } from './bot-state.repository.js';

export const TASKS_PER_PAGE = 4;
/** Item lines shown per task of a pack; the rest are summed up as "+N more". */
export const ITEM_LINES = 10;
/** Fewer item lines per task, tried in turn while the message would pass Telegram's length. */
const FEWER_ITEM_LINES = [5, 2, 0];

const ITEM_ICONS: Record<string, string> = {
  pending: '⏳',
  processing: '⚙',
  stored: '💾',
  done: '✅',
  failed: '❌',
  skipped: '⏭',
  unsupported: '🚫',
};
/** The order a pack's items are listed in: what is happening and what went wrong first. */
const ITEM_ORDER = ['processing', 'failed', 'stored', 'pending', 'done', 'unsupported', 'skipped'];
/** Sizes to two decimals below 10: a progress line moves visibly between refreshes. */
const PRECISE = { precise: true };

export interface StatusInput {
  tasks: { view: TaskView; tracked: TrackedTask }[];
  page: number;
  workers: InstanceHeartbeat[];
  uptimeSeconds: number;
  now: number;
}

export interface RenderedStatus {
  text: string;
  keyboard: Keyboard;
  /** The page shown (clamped to the pages there are). */
  page: number;
}

/** The status message of one chat: a block per task, a footer on the workers, pages and cancel buttons. */
export function renderStatus(input: StatusInput): RenderedStatus {
  const pages = Math.max(1, Math.ceil(input.tasks.length / TASKS_PER_PAGE));
  const page = Math.min(Math.max(0, input.page), pages - 1);
  const shown = input.tasks.slice(page * TASKS_PER_PAGE, (page + 1) * TASKS_PER_PAGE);
  const count = input.tasks.length;
  // Four packs with long failures can pass 4,096 characters, which Telegram refuses (and the message
  // would never update again): fewer item lines per task until it fits.
  let text = '';
  for (const itemLimit of [ITEM_LINES, ...FEWER_ITEM_LINES]) {
    const lines = [`<b>StreamVault · ${count} active task${count === 1 ? '' : 's'}</b>`];
    shown.forEach(({ view, tracked }, index) => {
      lines.push('', ...taskBlock(page * TASKS_PER_PAGE + index + 1, view, tracked, input.now, itemLimit));
    });
    lines.push('', ...footer(input.workers, input.uptimeSeconds));
    if (pages > 1) lines.push(`Page ${page + 1}/${pages}`);
    text = lines.join('\n');
    if (shownLength(text) <= MESSAGE_LIMIT) break;
  }

  const keyboard: Keyboard = shown.map(({ view }, index) => [
    { text: `✖ Cancel ${page * TASKS_PER_PAGE + index + 1}`, data: `cancel:${view.taskId}` },
  ]);
  if (pages > 1) {
    const nav: KeyboardButton[] = [];
    if (page > 0) nav.push({ text: '◀ Previous', data: `page:${page - 1}` });
    if (page < pages - 1) nav.push({ text: 'Next ▶', data: `page:${page + 1}` });
    keyboard.push(nav);
  }
  return { text, keyboard, page };
}

/** A task's display name: the hint, else the downloaded file name, else the link's last path segment. */
export function taskName(view: Pick<TaskView, 'hint' | 'fileName' | 'source'>): string {
  const name = view.hint ?? view.fileName ?? lastSegment(view.source);
  return cutText(name, 64);
}

function taskBlock(
  position: number,
  view: TaskView,
  tracked: TrackedTask,
  now: number,
  itemLimit: number,
): string[] {
  const elapsed = formatDuration((now - new Date(view.createdAt).getTime()) / 1000);
  return [
    `<b>${position}. ${escapeHtml(taskName(view))}</b>`,
    ...progressLines(view),
    ...itemLines(view, itemLimit),
    `${escapeHtml(view.engine ?? 'engine pending')} · ${view.state} · ${elapsed} · <code>${shortId(
      view.taskId,
    )}</code> · ${escapeHtml(tracked.userName)}`,
  ];
}

/**
 * A pack's files, one line each (name and what became of it), at most `limit` of them: those
 * being worked on and those that failed first, then "+N more".
 */
export function itemLines(view: Pick<TaskView, 'items'>, limit = ITEM_LINES): string[] {
  if (view.items.length <= 1) return [];
  const ordered = view.items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => ITEM_ORDER.indexOf(a.item.state) - ITEM_ORDER.indexOf(b.item.state) || a.index - b.index);
  const shown = ordered.slice(0, limit).sort((a, b) => a.index - b.index);
  const lines = shown.map(({ item }) => {
    const name = item.name.split('/').pop() ?? item.name;
    const why = item.state === 'failed' && item.error ? ` — ${cutText(item.error, 60)}` : '';
    return `${ITEM_ICONS[item.state] ?? '·'} ${escapeHtml(cutText(name, 48))}${escapeHtml(why)}`;
  });
  if (ordered.length > shown.length) lines.push(`+${ordered.length - shown.length} more`);
  return lines;
}

/** Bar, percent, sizes, speed and ETA while downloading; a plain line before and after. */
function progressLines(view: TaskView): string[] {
  if (view.state === 'queued') return [`${progressBar(0)} 0.0%`, 'waiting for a worker'];
  if (view.state !== 'downloading' && view.itemCounts.total > 1) {
    // A pack after its download: items done so far, by bytes, and which one is in hand.
    const progress = view.progress;
    const fraction = progress?.bytesTotal ? progress.bytesDone / progress.bytesTotal : 0;
    const where =
      view.currentItem !== null ? `item ${view.currentItem}/${view.itemCounts.total}` : view.state;
    const bytes = progress?.bytesTotal
      ? ` · ${formatBytes(progress.bytesDone, PRECISE)} of ${formatBytes(progress.bytesTotal, PRECISE)}`
      : '';
    return [`${progressBar(fraction)} ${(fraction * 100).toFixed(1)}%`, `${where}${bytes}`];
  }
  if (view.state !== 'downloading') return [`${progressBar(1)} 100%`, `downloaded; ${view.state}`];
  const progress = view.progress;
  if (!progress) return [`${progressBar(0)} —`, 'connecting'];
  const total = progress.bytesTotal;
  const fraction = total ? progress.bytesDone / total : undefined;
  const eta = progress.etaSeconds !== undefined ? formatDuration(progress.etaSeconds) : '—';
  return [
    `${progressBar(fraction ?? 0)} ${fraction === undefined ? '—' : `${(fraction * 100).toFixed(1)}%`}`,
    `${formatBytes(progress.bytesDone, PRECISE)} of ${total ? formatBytes(total, PRECISE) : '?'} · ${formatBytes(
      progress.speed,
      PRECISE,
    )}/s · ETA ${eta}`,
  ];
}

function footer(workers: InstanceHeartbeat[], uptimeSeconds: number): string[] {
  const lines: string[] = [];
  if (workers.length === 0) lines.push('⚙ No worker is running; tasks wait in the queue.');
  for (const worker of workers.slice(0, 3)) {
    const memoryUsed = 1 - worker.memory.freeBytes / Math.max(1, worker.memory.totalBytes);
    lines.push(
      `⚙ ${escapeHtml(worker.host)} · CPU ${Math.round(worker.cpuLoad * 100)}% · RAM ${Math.round(
        memoryUsed * 100,
      )}% · free disk ${worker.disk ? formatBytes(worker.disk.freeBytes, PRECISE) : 'unknown'}`,
    );
  }
  if (workers.length > 3) lines.push(`⚙ and ${workers.length - 3} more workers`);
  lines.push(`Bot up ${formatDuration(uptimeSeconds)}`);
  return lines;
}

function lastSegment(source: string): string {
  try {
    const url = new URL(source);
    const segment = url.pathname.split('/').filter(Boolean).pop();
    return segment ? decodeURIComponent(segment) : url.host;
  } catch {
    return source;
  }
}
