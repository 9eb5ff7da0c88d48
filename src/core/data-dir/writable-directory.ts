import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A directory the process must write to cannot be created or written: boot stops, naming it. */
export class DirectoryUnusableError extends Error {
  override name = 'DirectoryUnusableError';
}

const REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOTDIR: 'a parent of it is a file, not a directory',
  EEXIST: 'a file of that name is in the way',
  ENOSPC: 'no space left on the device',
};

/** "read-only file system, EROFS": what an operator can act on, and the code to search for. */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const reason = REASONS[code] ?? (error as Error).message;
  return code ? `${reason}, ${code}` : reason;
}

/**
 * Creates `path` (with its parents) when missing and checks this process may write there. `what` says
 * which setting or purpose the directory serves, so the one line an operator sees names both. Boot-time
 * only, hence synchronous.
 */
export function ensureWritableDirectory(path: string, what: string): void {
  try {
    createDirectory(path);
  } catch (error) {
    throw unusable(path, what, describeFsError(error));
  }
  // mkdir -p is content with a file of that name, whose access check would say "permission denied".
  if (!statSync(path).isDirectory()) throw unusable(path, what, 'it is a file, not a directory');
  try {
    accessSync(path, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw unusable(path, what, describeFsError(error));
  }
}

function unusable(path: string, what: string, why: string): DirectoryUnusableError {
  return new DirectoryUnusableError(
    `${what} ${path} cannot be created or written (${why}); point it at a writable directory or fix its permissions`,
  );
}

/**
 * `DATA_DIR` first (named as such when it is the problem), then its subdirectory `name`, owned by the
 * module that calls this at its start.
 */
export function ensureDataSubdirectory(dataDir: string, name: string): string {
  ensureWritableDirectory(dataDir, 'DATA_DIR');
  const path = join(dataDir, name);
  ensureWritableDirectory(path, `DATA_DIR/${name}`);
  return path;
}

/** mkdir -p, but a failure carries the real cause: a recursive mkdir says ENOENT under a read-only mount. */
export function createDirectory(path: string): void {
  try {
    mkdirSync(path, { recursive: true });
  } catch (error) {
    const parent = dirname(path);
    if (parent === path) throw error;
    createDirectory(parent);
    try {
      mkdirSync(path);
    } catch (inner) {
      if ((inner as NodeJS.ErrnoException).code !== 'EEXIST') throw inner;
    }
  }
}
