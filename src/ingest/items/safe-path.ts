import { posix } from 'node:path';

/**
 * A name from a torrent or an archive made safe to write under a folder: forward slashes, no empty or
 * `.` segments, no control characters. Undefined for names that would leave the folder (`..`
 * segments) or that are absolute (`/x`, `C:\x`): those are refused, never "fixed" into somewhere else.
 */
export function safeRelativePath(name: string): string | undefined {
  const slashed = name.replace(/\\/g, '/');
  if (/^\//.test(slashed) || /^[A-Za-z]:/.test(slashed)) return undefined;
  const segments = slashed.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.length === 0 || segments.some((segment) => segment === '..')) return undefined;
  const cleaned = segments.map((segment) => segment.replace(/\p{Cc}/gu, '').slice(0, 255));
  if (cleaned.some((segment) => segment === '' || segment === '..' || segment === '.')) return undefined;
  return posix.join(...cleaned);
}
