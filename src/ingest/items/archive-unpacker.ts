import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { execa } from 'execa';
import tar from 'tar-stream';
import { formatBytes } from '../../core/util/format-units.js';
import { DownloadFailedError, TooManyItemsError } from '../engines/download-engine.js';
import { archiveFormat } from '../processing/archive-detector.js';
import { isEncryptedArchive } from './archive-encryption.js';
import { safeRelativePath } from './safe-path.js';

export interface UnpackLimits {
  /** Most files the archive may hold (INGEST_MAX_ITEMS). */
  maxEntries: number;
  /** Most bytes it may unpack to, all entries together. */
  maxBytes: number;
}

export interface UnpackedEntry {
  /** Its name inside the archive. */
  name: string;
  /** Where it was written, relative to the target folder; empty when it was not (an unsafe name). */
  path: string;
  size: number;
  /** Why the entry was not written. */
  refused?: string;
}

/** Uncompressed bytes an archive may unpack to per byte of archive, beyond a small allowance: media do not compress. */
export const MAX_UNPACK_RATIO = 20;
const UNPACK_ALLOWANCE = 64 * 1024 * 1024;
const ENCRYPTED = 'the archive is encrypted (password-protected); it cannot be unpacked';
/** Filesystem refusals of one entry (not of the disk): the entry is skipped, the rest unpacked. */
const UNWRITABLE = new Set(['EEXIST', 'ENOTDIR', 'EISDIR', 'ENAMETOOLONG']);
const UNWRITABLE_REASON =
  'a name that clashes with another entry (a file where a folder goes) or is too long to write; not extracted';

/** The byte cap for unpacking an archive of `archiveSize` bytes: a zip bomb stops there. */
export function unpackCeiling(archiveSize: number, ceiling: number): number {
  return Math.min(ceiling, archiveSize * MAX_UNPACK_RATIO + UNPACK_ALLOWANCE);
}

/**
 * Unpacks a zip, rar, 7z or tar archive into `target`. libarchive's bsdtar reads every one of those
 * formats and re-emits the entries as one tar stream; the entries are written here, not by bsdtar, so
 * each name is checked (no `../`, no absolute paths: such entries are reported, not written), the
 * count is capped before a byte is written past it, and the bytes actually written — not the sizes
 * the archive declares — are capped against zip bombs.
 */
export async function unpackArchive(
  archive: string,
  target: string,
  limits: UnpackLimits,
  signal: AbortSignal,
): Promise<UnpackedEntry[]> {
  const format = await archiveFormat(archive);
  if (format && (await isEncryptedArchive(archive, format))) throw new DownloadFailedError(ENCRYPTED, false);
  const child = execa('bsdtar', ['-c', '-f', '-', '--format', 'pax', `@${archive}`], {
    cancelSignal: signal,
    detached: true,
    forceKillAfterDelay: 2000,
    buffer: { stdout: false, stderr: true },
    stdin: 'ignore',
  });
  // Listened to at once: bsdtar may exit (a truncated archive) while an entry is still being written,
  // long before its end is awaited below, and an unheard rejection stops the whole process.
  const exited = child.then(
    () => undefined,
    (error: unknown) => error,
  );
  const entries: UnpackedEntry[] = [];
  const used = new Set<string>();
  let written = 0;
  let files = 0;
  const extract = tar.extract();
  const writeEntry = async (header: tar.Header, entry: NodeJS.ReadableStream): Promise<void> => {
    const { name, type } = header;
    if (type !== 'file' && type !== 'contiguous-file') {
      entry.resume();
      return;
    }
    if (++files > limits.maxEntries) throw new TooManyItemsError(files, limits.maxEntries);
    const path = safeRelativePath(name);
    if (!path) {
      entries.push({ name, path: '', size: header.size ?? 0, refused: unsafeReason(name) });
      entry.resume();
      return;
    }
    // Two entries may normalise to one name ("a/b" and "a//b"): the second gets its own file.
    let unique = path;
    for (let n = 2; used.has(unique.toLowerCase()); n++) unique = `${path}.${n}`;
    used.add(unique.toLowerCase());
    const out = join(target, unique);
    try {
      await mkdir(dirname(out), { recursive: true });
    } catch (error) {
      if (!UNWRITABLE.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
      entries.push({ name, path: '', size: header.size ?? 0, refused: UNWRITABLE_REASON });
      entry.resume();
      return;
    }
    let size = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        size += chunk.length;
        written += chunk.length;
        if (written > limits.maxBytes) {
          callback(
            new DownloadFailedError(
              `the archive unpacks to more than ${formatBytes(limits.maxBytes)}; refused (a zip bomb, or over the size limit)`,
              false,
            ),
          );
          return;
        }
        callback(null, chunk);
      },
    });
    try {
      await pipeline(entry, counter, createWriteStream(out));
    } catch (error) {
      if (!UNWRITABLE.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
      // The entry's stream was ended by the failed pipeline: the next entry follows.
      entries.push({ name, path: '', size: header.size ?? 0, refused: UNWRITABLE_REASON });
      return;
    }
    entries.push({ name, path: unique, size });
  };
  // The reader's own error (too many entries, too many bytes) is the reason; a broken pipe follows it.
  let failure: unknown;
  await new Promise<void>((resolve) => {
    const fail = (error: unknown) => {
      failure ??= error;
      child.kill('SIGKILL');
      extract.destroy();
      resolve();
    };
    extract.on('entry', (header, entry, next) => {
      writeEntry(header, entry as unknown as NodeJS.ReadableStream).then(() => next(), fail);
    });
    extract.on('finish', () => resolve());
    extract.on('error', fail);
    child.stdout!.on('error', fail);
    child.stdout!.pipe(extract);
  });
  const exit = await exited;
  if (failure !== undefined || exit !== undefined) {
    if (signal.aborted) throw signal.reason ?? failure ?? exit;
    if (failure instanceof DownloadFailedError) throw failure;
    // bsdtar's own words (encrypted, damaged, not an archive) say more than the broken stream.
    throw new DownloadFailedError(unreadable(exit ?? failure), false);
  }
  return entries;
}

function unsafeReason(name: string): string {
  return /^([/\\]|[A-Za-z]:)/.test(name)
    ? 'an absolute path inside the archive; not extracted'
    : 'a path leaving the archive (../) or an unusable name; not extracted';
}

/** bsdtar's complaint, said for a person: encrypted, damaged, or not the archive it claims to be. */
function unreadable(error: unknown): string {
  const stderr = String((error as { stderr?: unknown }).stderr ?? (error as Error).message ?? error);
  const line = stderr
    .split('\n')
    .map((text) => text.replace(/^bsdtar:\s*/, '').trim())
    .find((text) => text && text !== '(null)' && !/Error exit delayed/.test(text));
  if (/encrypt|passphrase|password/i.test(stderr)) return ENCRYPTED;
  return `the archive could not be unpacked: ${(line ?? 'it is damaged or incomplete').slice(0, 200)}`;
}
