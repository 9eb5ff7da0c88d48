#!/usr/bin/env node
// `npm run bench -- <name>`: builds, then runs bench/<name>.ts with the services it needs. Benchmarks
// print figures and ratios against a peer measured in the same run; they assert nothing.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fail, step } from './lib/log.mjs';
import { redisAnswers } from './lib/net.mjs';
import { startRedis } from './lib/processes.mjs';
import { mustRun, run } from './lib/run.mjs';
import { ROOT, setup } from './setup.mjs';

async function main() {
  const name = process.argv[2];
  if (!name) fail('usage: npm run bench -- <name>   (a file bench/<name>.ts)');
  const { ferretdb } = await setup();
  await mustRun(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: ROOT });
  const script = join(ROOT, '.build', 'bench', `${name}.js`);
  if (!existsSync(script)) fail(`no benchmark named "${name}" (bench/${name}.ts)`);
  const env = {
    ...process.env,
    FERRETDB_BIN: ferretdb,
    REDIS_URL: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
  };
  let redis;
  if (!(await redisAnswers(env.REDIS_URL))) {
    redis = await startRedis({ dir: join(tmpdir(), `sv-bench-redis-${process.pid}`) });
    env.REDIS_URL = redis.url;
  }
  try {
    step(`running bench/${name}`);
    return await run(process.execPath, ['--enable-source-maps', script], { cwd: ROOT, env });
  } finally {
    await redis?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => fail(error.message),
);
