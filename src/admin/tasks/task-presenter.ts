import { type TaskView } from '../../ingest/ingest.service.js';
import { formatBytes, formatDuration } from '../../core/util/format-units.js';

const ACTIVE = new Set(['queued', 'downloading', 'processing', 'uploading', 'indexing']);

/** One row of the tasks table; the same shape is rendered by the server and by the live script. */
export interface TaskRow {
  id: string;
  source: string;
  hint: string;
  fileName: string;
  state: string;
  engine: string;
  /** 0..100, or null while the size is unknown. */
  percent: number | null;
  bytes: string;
  speed: string;
  eta: string;
  error: string;
  requester: string;
  titleId: string | null;
  /** "item 4/12" while items are worked on; what became of them once done; empty for a single file. */
  itemsLine: string;
  /** The files of a pack (empty for a single file), each with what became of it. */
  items: { name: string; kind: string; state: string; detail: string }[];
  canCancel: boolean;
  canRetry: boolean;
}

export function presentTask(task: TaskView): TaskRow {
  const progress = task.progress;
  const total = progress?.bytesTotal;
  const percent =
    task.state === 'done'
      ? 100
      : progress && total
        ? Math.min(100, Math.floor((progress.bytesDone / total) * 100))
        : null;
  return {
    id: task.taskId,
    source: task.source,
    hint: task.hint ?? '',
    fileName: task.fileName ?? '',
    state: task.state,
    engine: task.engine ?? '',
    percent,
    // Finished states report no byte counts worth showing.
    bytes:
      progress && progress.bytesDone > 0
        ? `${formatBytes(progress.bytesDone)}${total ? ` / ${formatBytes(total)}` : ''}`
        : '',
    speed: progress && progress.speed > 0 ? `${formatBytes(progress.speed)}/s` : '',
    eta: progress?.etaSeconds !== undefined ? formatDuration(progress.etaSeconds) : '',
    error:
      task.error ?? (task.stuck ? 'Stuck: no job in the queue and no worker at it. Retry resumes it.' : ''),
    requester: task.requester.name,
    titleId: task.titleId,
    itemsLine: itemsLine(task),
    items:
      task.items.length > 1
        ? task.items.slice(0, MAX_ITEMS_LISTED).map((item) => ({
            name: item.name,
            kind: item.kind,
            state: item.state,
            detail: [
              item.language && item.kind === 'subtitle' ? item.language : '',
              item.error ?? '',
              item.note ?? '',
            ]
              .filter(Boolean)
              .join(' · '),
          }))
        : [],
    canCancel: ACTIVE.has(task.state),
    canRetry:
      task.state === 'failed' ||
      task.state === 'cancelled' ||
      task.stuck ||
      (task.state === 'done' && task.itemCounts.failed > 0),
  };
}

/** A pack's list is cut here on the page (the API has them all). */
const MAX_ITEMS_LISTED = 200;

/** "item 4/12" while items are worked on, else "12 items: 9 done, 1 failed, 2 skipped"; empty for one file. */
export function itemsLine(task: Pick<TaskView, 'items' | 'itemCounts' | 'currentItem'>): string {
  const counts = task.itemCounts;
  if (counts.total <= 1) return '';
  if (task.currentItem !== null) return `item ${task.currentItem}/${counts.total}`;
  const parts = [
    counts.done && `${counts.done} done`,
    counts.failed && `${counts.failed} failed`,
    counts.skipped && `${counts.skipped} skipped`,
    counts.unsupported && `${counts.unsupported} not supported yet`,
    counts.active && `${counts.active} to do`,
  ].filter(Boolean);
  return `${counts.total} items: ${parts.join(', ')}`;
}
