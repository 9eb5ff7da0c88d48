import { randomBytes, randomUUID } from 'node:crypto';
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDirectory } from '../data-dir/writable-directory.js';

export const SECRET_KEY_FILE = 'secret.key';
const MIN_LENGTH = 32;

/** DATA_DIR/secret.key holds something that is not a usable key: boot stops, naming the file. */
export class SecretKeyFileError extends Error {
  override name = 'SecretKeyFileError';
}

/**
 * Outside production a missing SECRET_KEY is generated once and kept in DATA_DIR, so sessions and signed
 * links survive restarts of a one-box install without the operator having to invent a secret.
 */
export function loadOrCreateSecretKey(dataDir: string): string {
  const file = join(dataDir, SECRET_KEY_FILE);
  const existing = readKey(file);
  if (existing !== undefined) return existing;
  createDirectory(dataDir);
  // Written aside, then linked into place: link() never replaces a file, so when two processes start on
  // one DATA_DIR at once one key wins and both use it, and the file is never seen half written.
  const aside = `${file}.${process.pid}.${randomUUID()}.tmp`;
  try {
    writeFileSync(aside, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    linkSync(aside, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(aside, { force: true });
  }
  const key = readKey(file);
  if (key === undefined) throw new SecretKeyFileError(`${file} vanished while it was being created`);
  return key;
}

/** The key in `file`; undefined when there is no file. A short key is refused, never replaced: a new
 * key would sign everyone out and void every signed link, which the operator should decide. */
function readKey(file: string): string | undefined {
  let key: string;
  try {
    key = readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (key.length < MIN_LENGTH)
    throw new SecretKeyFileError(
      `${file} holds a key of ${key.length} characters, fewer than ${MIN_LENGTH}; restore it from a backup, or delete it to generate a new one (signs everyone out)`,
    );
  return key;
}
