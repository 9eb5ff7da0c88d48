// How long a task waits after its worker is killed (kill -9) before another worker has it, with the
// shipped defaults (QUEUE_STALLED_AFTER_MS=15000). Prints the figure for a kill during the download and
// during processing, beside the bound the settings give (lock duration + stalled interval).
//   npm run bench -- takeover
// The figure is BullMQ's stalled-job detection: the killed worker's lock lapses, the next stalled check
// (any live worker) moves the job back to the queue, and the other, idle worker takes it at once.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import mongoose from 'mongoose';
import { stallTimings } from '../src/core/queue/job-workers.js';
import { signInFirstAdmin, startApp, type RunningApp } from '../test/support/app-process.js';
import { startTestDatabase } from '../test/support/database.js';
import { eventually } from '../test/support/eventually.js';
import { startFixtureServer } from '../test/support/fixture-server.js';
import { tempDir, testVideo } from '../test/support/media.js';
import { uniqueRedisPrefix } from '../test/support/redis.js';

const run = promisify(execFile);
const STALLED_AFTER_MS = Number(process.env.QUEUE_STALLED_AFTER_MS ?? 15000);
const ADMIN_PASSWORD = 'takeover-bench-admin-password';

/** A big MP4 with its index at the end: processing (faststart rewrite + checksum) takes a while. */
async function bigMovie(dir: string): Promise<Buffer> {
  const clip = testVideo(10, dir, { size: '1280x720', bitrate: '20M', pattern: 'testsrc2' });
  const list = join(dir, 'concat.txt');
  writeFileSync(list, Array.from({ length: 12 }, () => `file '${clip.path}'\n`).join(''));
  const joined = join(dir, 'joined.mp4');
  await run('ffmpeg', ['-v', 'error', '-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', joined]);
  return readFileSync(joined);
}

interface Scenario {
  name: string;
  /** The state in which the owning worker is killed. */
  killIn: 'downloading' | 'processing';
  throttle: number;
}

async function measure(scenario: Scenario, body: Buffer, mongoUri: string): Promise<void> {
  const fixture = await startFixtureServer({ body, throttle: scenario.throttle });
  const env = {
    MONGODB_URI: mongoUri,
    REDIS_PREFIX: uniqueRedisPrefix(),
    DATA_DIR: tempDir('sv-bench-takeover-'),
    INGEST_ALLOW_HOSTS: `127.0.0.1:${fixture.port}`,
    ADMIN_PASSWORD,
    LOG_LEVEL: 'warn',
  };
  const apps: RunningApp[] = [];
  const connection = await mongoose.createConnection(mongoUri).asPromise();
  try {
    const manager = await startApp({ ...env, ROLE: 'manager' });
    apps.push(manager);
    const workers = [await startApp({ ...env, ROLE: 'worker' }), await startApp({ ...env, ROLE: 'worker' })];
    apps.push(...workers);
    const admin = await signInFirstAdmin(manager.url, ADMIN_PASSWORD);
    const submitted = await admin.post('/api/ingest', {
      url: fixture.url(`/Takeover.${scenario.killIn}.2024.mp4`),
    });
    const taskId = String(submitted.body.taskId);
    const entry = async () =>
      (await connection.db!.collection('ingest_active').findOne({ _id: taskId as never })) as {
        worker?: string;
      } | null;
    await eventually(
      () => admin.get(`/api/ingest/${taskId}`).then((r) => r.body),
      (task) => task.state === scenario.killIn,
      { timeoutMs: 120000, intervalMs: 20, what: scenario.killIn },
    );
    const owner = (await entry())?.worker ?? '';
    const victim = workers.find((worker) => owner.endsWith(`:${worker.child.pid}`));
    if (!victim) throw new Error(`no worker owns the task (lease: ${owner})`);
    const killedAt = performance.now();
    await victim.stop('SIGKILL');
    await eventually(entry, (current) => Boolean(current?.worker) && current?.worker !== owner, {
      timeoutMs: 300000,
      intervalMs: 100,
      what: 'another worker took the task',
    });
    const takeover = (performance.now() - killedAt) / 1000;
    const done = await eventually(
      () => admin.get(`/api/ingest/${taskId}`).then((r) => r.body),
      (task) => task.state === 'done' || task.state === 'failed',
      { timeoutMs: 300000, intervalMs: 100, what: 'done' },
    );
    const finished = (performance.now() - killedAt) / 1000;
    console.log(
      `   ${scenario.name.padEnd(28)} taken over after ${takeover.toFixed(1).padStart(5)} s   ${String(done.state)} ${finished.toFixed(1)} s after the kill`,
    );
  } finally {
    for (const app of apps) await app.stop('SIGKILL');
    await connection.close();
    await fixture.close();
  }
}

async function main() {
  const { lockDuration, stalledInterval } = stallTimings(STALLED_AFTER_MS);
  const body = await bigMovie(tempDir('sv-bench-takeover-media-'));
  const db = await startTestDatabase();
  try {
    console.log(
      `\nworker killed with SIGKILL, a second worker idle; QUEUE_STALLED_AFTER_MS=${STALLED_AFTER_MS} ` +
        `(lock ${lockDuration / 1000} s, stalled check every ${stalledInterval / 1000} s: bound ≈ ${((lockDuration + stalledInterval) / 1000).toFixed(0)} s; target ≤ 45 s)`,
    );
    console.log(`   file: ${(body.length / 1024 / 1024).toFixed(0)} MiB MP4, index at the end`);
    await measure(
      { name: 'killed while downloading', killIn: 'downloading', throttle: 8 * 1024 * 1024 },
      body,
      db.uri,
    );
    await measure({ name: 'killed while processing', killIn: 'processing', throttle: 0 }, body, db.uri);
  } finally {
    await db.stop();
  }
}

void main();
