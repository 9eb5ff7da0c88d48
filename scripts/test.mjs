#!/usr/bin/env node
// `npm test`: installs what is missing, starts what the tests need (Redis only if none answers),
// then typecheck, lint, format check and every test under test/ (node:test, spec reporter).
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { step } from './lib/log.mjs';
import { redisAnswers } from './lib/net.mjs';
import { startRedis } from './lib/processes.mjs';
import { run } from './lib/run.mjs';
import { testFiles } from './lib/test-files.mjs';
import { ROOT, setup } from './setup.mjs';

const BIN = join(ROOT, 'node_modules', '.bin');

async function main() {
  const files = testFiles(ROOT, process.argv[2]);
  const { ferretdb } = await setup();
  const env = { ...process.env, FERRETDB_BIN: ferretdb, NODE_ENV: 'test' };
  env.REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  try {
    if (!(await redisAnswers(env.REDIS_URL))) {
      step(`no Redis at ${env.REDIS_URL}; starting a private redis-server for the tests`);
      privateRedis.dir = join(tmpdir(), `sv-test-redis-${process.pid}`);
      privateRedis.service = await startRedis({ dir: privateRedis.dir });
      env.REDIS_URL = privateRedis.service.url;
    }
    rmSync(join(ROOT, '.build'), { recursive: true, force: true });
    const stages = [
      ['typecheck + compile', join(BIN, 'tsc'), ['-p', 'tsconfig.json']],
      ['lint', join(BIN, 'eslint'), ['--max-warnings=0', '.']],
      ['format', join(BIN, 'prettier'), ['--check', '--log-level=warn', '.']],
    ];
    for (const [name, command, args] of stages) {
      step(name);
      const code = await run(command, args, { cwd: ROOT, env });
      if (code !== 0) return code;
    }
    step(`running ${files.length} test files`);
    return await run(
      process.execPath,
      ['--enable-source-maps', '--test', '--test-reporter=spec', '--test-concurrency=3', ...files],
      { cwd: ROOT, env },
    );
  } finally {
    await stopPrivateRedis();
  }
}

/** The redis-server started when none answered, and its directory: both gone when the run ends. */
const privateRedis = { service: undefined, dir: undefined };

async function stopPrivateRedis() {
  await privateRedis.service?.stop();
  if (privateRedis.dir) rmSync(privateRedis.dir, { recursive: true, force: true });
}

// Ctrl+C reaches the test runner too (one process group); this process still has its Redis to clean up.
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
])
  process.once(signal, () => stopPrivateRedis().finally(() => process.exit(code)));

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`[streamvault] error: ${error.message}`);
    process.exit(1);
  },
);
