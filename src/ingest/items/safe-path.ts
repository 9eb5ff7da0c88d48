import { posix } from 'node:path';

/** The longest file name most filesystems take (ext4, xfs, btrfs), in bytes. */
const NAME_MAX_BYTES = 255;
/**
 * The longest relative path kept: PATH_MAX is 4,096 bytes with the sandbox's own path in front
 * (DATA_DIR/downloads/<task>/.unpacked/), so a deeper entry is refused rather than failing the write.
 */
const PATH_MAX_BYTES = 3000;

/**
 * A name from a torrent or an archive made safe to write under a folder: forward slashes, no empty or
 * `.` segments, no control characters, each segment at most 255 bytes (a longer one is shortened,
 * keeping its extension: long Japanese release names pass it). Undefined for names that would leave
 * the folder (`..` segments), that are absolute (`/x`, `C:\x`) or too deep: those are refused, never
 * "fixed" into somewhere else.
 */
export function safeRelativePath(name: string): string | undefined {
  const slashed = name.replace(/\\/g, '/');
  if (/^\//.test(slashed) || /^[A-Za-z]:/.test(slashed)) return undefined;
  const segments = slashed.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.length === 0 || segments.some((segment) => segment === '..')) return undefined;
  const cleaned = segments.map((segment) => fitName(segment.replace(/\p{Cc}/gu, '')));
  if (cleaned.some((segment) => segment === '' || segment === '..' || segment === '.')) return undefined;
  const path = posix.join(...cleaned);
  return Buffer.byteLength(path) > PATH_MAX_BYTES ? undefined : path;
}

/**
 * `segment` within NAME_MAX_BYTES, cut between characters, its extension (up to 16 bytes) kept. For
 * every name the ingest writes: a limit in characters lets a non-ASCII name (3 bytes a character in
 * Japanese) past the filesystem's 255 bytes.
 */
export function fitName(segment: string): string {
  if (Buffer.byteLength(segment) <= NAME_MAX_BYTES) return segment;
  const extension = /\.[^.]{1,15}$/.exec(segment)?.[0] ?? '';
  const room = NAME_MAX_BYTES - Buffer.byteLength(extension);
  let kept = '';
  let bytes = 0;
  for (const character of segment.slice(0, segment.length - extension.length)) {
    bytes += Buffer.byteLength(character);
    if (bytes > room) break;
    kept += character;
  }
  return `${kept.trimEnd()}${extension}`;
}
