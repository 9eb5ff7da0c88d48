import { formatBytes as formatByteSize } from '../../core/util/format-bytes.js';

/** Human-readable sizes, rates and durations for panel pages (server-rendered and live). */
export function formatBytes(bytes: number | undefined): string {
  return bytes === undefined || !Number.isFinite(bytes) ? '' : formatByteSize(bytes);
}

export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '';
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(s).padStart(2, '0')}s`;
  return `${s}s`;
}

export function formatAgo(from: Date | string, now = Date.now()): string {
  const seconds = Math.max(0, (now - new Date(from).getTime()) / 1000);
  return `${formatDuration(seconds)} ago`;
}
