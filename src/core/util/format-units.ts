/**
 * Sizes and durations as people read them, for every place that shows one: bot messages, panel pages,
 * the watch page and the reasons ingest gives. An unknown value (undefined, NaN, ±Infinity) is an
 * empty string, so a table cell stays blank instead of reading "NaN".
 */

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export interface ByteFormat {
  /** Two decimals below 10 of a unit (`3.47 GiB`): a progress line that visibly moves. */
  precise?: boolean;
}

/** 1536 → `1.5 KiB` (`1.50 KiB` when precise); 10 GiB → `10.0 GiB`; whole bytes below 1 KiB. */
export function formatBytes(bytes: number | undefined, format: ByteFormat = {}): string {
  if (!isKnown(bytes)) return '';
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  return `${value.toFixed(format.precise && value < 10 ? 2 : 1)} ${BYTE_UNITS[unit]}`;
}

/** The two largest units of a span: `42s`, `3m 05s`, `2h 07m`, `3d 04h`. */
export function formatDuration(totalSeconds: number | undefined): string {
  if (!isKnown(totalSeconds)) return '';
  const s = Math.max(0, Math.floor(totalSeconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86400)}d ${pad(Math.floor((s % 86400) / 3600))}h`;
}

/** How long ago `from` was: `3m 05s ago`. */
export function formatAgo(from: Date | string, now = Date.now()): string {
  return `${formatDuration((now - new Date(from).getTime()) / 1000)} ago`;
}

/** A media duration as a player shows it: `1:42:03`, `4:05`. */
export function formatClock(totalSeconds: number | undefined): string {
  if (!isKnown(totalSeconds)) return '';
  const s = Math.max(0, Math.round(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

function isKnown(value: number | undefined): value is number {
  return value !== undefined && Number.isFinite(value);
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
