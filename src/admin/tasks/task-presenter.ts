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
    canCancel: ACTIVE.has(task.state),
    canRetry: task.state === 'failed' || task.state === 'cancelled' || task.stuck,
  };
}
