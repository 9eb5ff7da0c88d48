/** Small pure formatters for bot messages (HTML parse mode). */

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A link that notifies the user it names, even without a username. */
export function mention(user: { id: number; name: string }): string {
  return `<a href="tg://user?id=${user.id}">${escapeHtml(user.name)}</a>`;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(bytes: number): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${UNITS[unit]}`;
}

/** `42s`, `3m 05s`, `2h 07m`, `3d 04h`. */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86400)}d ${pad(Math.floor((s % 86400) / 3600))}h`;
}

/** A media duration as a player shows it: `1:42:03`, `4:05`. */
export function formatClock(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds));
  const pad = (n: number) => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

export const PROGRESS_CELLS = 12;

/** `[██████░░░░░░]` for a fraction 0..1. */
export function progressBar(fraction: number, cells = PROGRESS_CELLS): string {
  const filled = Math.min(cells, Math.max(0, Math.round(fraction * cells)));
  return `[${'█'.repeat(filled)}${'░'.repeat(cells - filled)}]`;
}

/** The short form of a task id people type: its first 8 characters. */
export function shortId(taskId: string): string {
  return taskId.slice(0, 8);
}
