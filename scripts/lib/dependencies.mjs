import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { step } from './log.mjs';
import { mustRun } from './run.mjs';

/** `npm ci` when node_modules is missing or older than the lockfile; nothing otherwise. */
export async function ensureNodeModules(root) {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  step('installing npm dependencies (npm ci)');
  await mustRun('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root });
}
