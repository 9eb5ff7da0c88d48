#!/usr/bin/env node
// Installs what the project needs and is missing: npm dependencies, the FerretDB binary, and (as root)
// the Debian packages the app and tests drive. Safe to run again: each step is skipped when done.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDebianPackages } from './lib/debian-packages.mjs';
import { ensureNodeModules } from './lib/dependencies.mjs';
import { ensureFerretDb } from './lib/ferretdb.mjs';
import { fail, step } from './lib/log.mjs';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** `needDatabase`: build FerretDB (skip when an external MONGODB_URI is used). */
export async function setup({ needDatabase = true, debian = true } = {}) {
  await ensureNodeModules(ROOT);
  const missing = debian ? await ensureDebianPackages() : [];
  const ferretdb = needDatabase ? await ensureFerretDb(ROOT) : undefined;
  return { ferretdb, missing };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  setup()
    .then(({ missing }) => step(missing.length ? `set up, except: ${missing.join(' ')}` : 'set up'))
    .catch((error) => fail(error.message));
}
