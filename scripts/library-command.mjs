#!/usr/bin/env node
// `npm run reindex`, `npm run seed -- ...`: operator commands against the app's configuration. Runs
// the built image's dist/cli/<name>.js when there is one and no TypeScript toolchain (production),
// else compiles first (development checkout).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fail } from './lib/log.mjs';
import { mustRun, run } from './lib/run.mjs';

const ROOT = join(import.meta.dirname, '..');

async function main() {
  const [name, ...args] = process.argv.slice(2);
  const tsc = join(ROOT, 'node_modules', '.bin', 'tsc');
  let script = join(ROOT, 'dist', 'cli', `${name}.js`);
  if (existsSync(tsc)) {
    await mustRun(tsc, ['-p', 'tsconfig.json'], { cwd: ROOT });
    script = join(ROOT, '.build', 'src', 'cli', `${name}.js`);
  }
  if (!existsSync(script)) fail(`no command named "${name}"`);
  return run(process.execPath, ['--enable-source-maps', script, ...args], { cwd: ROOT });
}

main().then(
  (code) => process.exit(code),
  (error) => fail(error.message),
);
