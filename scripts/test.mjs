#!/usr/bin/env node
// `npm test`: installs what is missing, starts what the tests need (Redis only if none answers),
// then typecheck, lint, format check and every test under test/ (node:test, spec reporter).
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { step } from './lib/log.mjs';
import { redisAnswers } from './lib/net.mjs';
import { startRedis } from './lib/processes.mjs';
import { run } from './lib/run.mjs';
import { ROOT, setup } from './setup.mjs';
import { tmpdir } from 'node:os';

const BIN = join(ROOT, 'node_modules', '.bin');

function testFiles(dir, filter) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return testFiles(path, filter);
    // The filter is matched against the path inside the project, so a checkout under e.g. /work/wt-ads
    // does not make "ads" match every file.
    return name.endsWith('.test.js') && relative(ROOT, path).includes(filter) ? [path] : [];
  });
}

async function main() {
  const filter = process.argv[2] ?? '';
  const { ferretdb } = await setup();
  const env = { ...process.env, FERRETDB_BIN: ferretdb, NODE_ENV: 'test' };
  let redis;
  env.REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  if (!(await redisAnswers(env.REDIS_URL))) {
    step(`no Redis at ${env.REDIS_URL}; starting a private redis-server for the tests`);
    redis = await startRedis({ dir: join(tmpdir(), `sv-test-redis-${process.pid}`) });
    env.REDIS_URL = redis.url;
  }
  try {
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
    const files = testFiles(join(ROOT, '.build', 'test'), filter)
      .map((file) => relative(ROOT, file))
      .sort();
    step(`running ${files.length} test files`);
    return await run(
      process.execPath,
      ['--enable-source-maps', '--test', '--test-reporter=spec', '--test-concurrency=3', ...files],
      { cwd: ROOT, env },
    );
  } finally {
    await redis?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`[streamvault] error: ${error.message}`);
    process.exit(1);
  },
);
