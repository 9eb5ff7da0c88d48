import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDirectory } from '../data-dir/writable-directory.js';

export const SECRET_KEY_FILE = 'secret.key';

/**
 * Outside production a missing SECRET_KEY is generated once and kept in DATA_DIR, so sessions and signed
 * links survive restarts of a one-box install without the operator having to invent a secret.
 */
export function loadOrCreateSecretKey(dataDir: string): string {
  const file = join(dataDir, SECRET_KEY_FILE);
  try {
    const existing = readFileSync(file, 'utf8').trim();
    if (existing.length >= 32) return existing;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  createDirectory(dataDir);
  const key = randomBytes(32).toString('hex');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}
