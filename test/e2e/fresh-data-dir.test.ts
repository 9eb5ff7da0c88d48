import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { type InstanceHeartbeat } from '../../src/core/heartbeat/instance-heartbeat.js';
import { signInFirstAdmin, startApp, TEST_SECRET_KEY } from '../support/app-process.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { startFixtureServer } from '../support/fixture-server.js';
import { tempDir, testVideo } from '../support/media.js';
import { freePort } from '../../scripts/lib/net.mjs';
import { MAIN_JS, PROJECT_ROOT } from '../support/paths.js';
import { TEST_REDIS_URL, uniqueRedisPrefix } from '../support/redis.js';

/** A DATA_DIR path nobody has created: a new volume, a new box. */
function unborn(label: string): string {
  return join(tempDir(`sv-fresh-${label}-`), 'volume', 'streamvault');
}

const isDirectory = (path: string) => existsSync(path) && statSync(path).isDirectory();

describe('an install whose DATA_DIR does not exist yet', () => {
  let db: TestDatabase;
  let redis: Redis;
  before(async () => {
    db = await startTestDatabase();
    redis = new Redis(TEST_REDIS_URL);
  });
  after(async () => {
    redis?.disconnect();
    await db?.stop();
  });

  /** The heartbeat of the process `pid` under `prefix`, once it has written one. */
  async function heartbeatOf(prefix: string, pid: number): Promise<InstanceHeartbeat> {
    const beats = await eventually(
      async () => {
        const keys = await redis.keys(`${prefix}:heartbeat:*`);
        const values = keys.length ? await redis.mget(keys) : [];
        return values.flatMap((value) => (value ? [JSON.parse(value) as InstanceHeartbeat] : []));
      },
      (found) => found.some((beat) => beat.pid === pid),
      { what: `the heartbeat of pid ${pid}` },
    );
    return beats.find((beat) => beat.pid === pid)!;
  }

  const owned: Record<string, string[]> = {
    manager: ['media'],
    worker: ['media', 'downloads'],
    streamer: ['media'],
  };
  for (const [role, subdirectories] of Object.entries(owned)) {
    it(`ROLE=${role} creates DATA_DIR and the directories it owns at boot, and reports its disk`, async () => {
      const dataDir = unborn(role);
      const prefix = uniqueRedisPrefix();
      const app = await startApp({
        ROLE: role,
        MONGODB_URI: db.uri,
        DATA_DIR: dataDir,
        REDIS_PREFIX: prefix,
      });
      try {
        assert.equal((await app.get('/healthz')).status, 200);
        const { disk } = await heartbeatOf(prefix, app.child.pid!);
        assert.ok(disk && disk.freeBytes > 0, `free disk is read, not 0: ${JSON.stringify(disk)}`);
        assert.ok(isDirectory(dataDir), 'DATA_DIR was created');
        for (const name of subdirectories)
          assert.ok(isDirectory(join(dataDir, name)), `${name}/ was created`);
        if (role !== 'worker') assert.ok(!existsSync(join(dataDir, 'downloads')), 'only workers download');
      } finally {
        await app.stop();
      }
    });
  }

  it('a manager and a worker on new volumes accept the first submission and complete it', async () => {
    // Its own database: the first admin is created with this test's password.
    const ownDb = await startTestDatabase();
    const fixture = await startFixtureServer({ body: testVideo(2).bytes });
    const shared = {
      MONGODB_URI: ownDb.uri,
      REDIS_PREFIX: uniqueRedisPrefix(),
      INGEST_ALLOW_HOSTS: `127.0.0.1:${fixture.port}`,
      ADMIN_PASSWORD: 'fresh-volume-admin-password',
    };
    const manager = await startApp({ ...shared, ROLE: 'manager', DATA_DIR: unborn('manager-box') });
    const worker = await startApp({ ...shared, ROLE: 'worker', DATA_DIR: unborn('worker-box') });
    try {
      const admin = await signInFirstAdmin(manager.url, shared.ADMIN_PASSWORD);
      // Admission reads the worker's heartbeat: with none yet it would admit for the wrong reason.
      await heartbeatOf(shared.REDIS_PREFIX, worker.child.pid!);
      const submitted = await admin.post('/api/ingest', { url: fixture.url('/Fresh.Volume.2024.mp4') });
      assert.equal(submitted.status, 202, JSON.stringify(submitted.body));
      const done = await eventually(
        async () => (await admin.get(`/api/ingest/${String(submitted.body.taskId)}`)).body,
        (task) => task.state === 'done' || task.state === 'failed',
        { timeoutMs: 60000, intervalMs: 250, what: 'the first task finished' },
      );
      assert.equal(done.state, 'done', String(done.error));
    } finally {
      await worker.stop();
      await manager.stop();
      await fixture.close();
      await ownDb.stop();
    }
  });
});

/**
 * Runs main.js with DATA_DIR on a read-only tmpfs mounted in a private mount namespace (root inside the
 * namespace ignores permission bits, a read-only mount it cannot ignore).
 */
async function bootOnReadOnlyDataDir(env: Record<string, string>) {
  const mountPoint = tempDir('sv-readonly-');
  const script = `mount -t tmpfs -o ro tmpfs "$0" && exec "${process.execPath}" "${MAIN_JS}"`;
  const child = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, mountPoint], {
    cwd: PROJECT_ROOT,
    env: {
      PATH: process.env.PATH,
      DATA_DIR: join(mountPoint, 'streamvault'),
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: uniqueRedisPrefix(),
      HOST: '127.0.0.1',
      PORT: String(await freePort()),
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const guard = setTimeout(() => child.kill('SIGKILL'), 30000);
  return new Promise<{ code: number | null; output: string; mountPoint: string }>((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(guard);
      resolve({ code, output, mountPoint });
    }),
  );
}

describe('a DATA_DIR on a read-only path', () => {
  let db: TestDatabase;
  before(async () => {
    db = await startTestDatabase();
  });
  after(() => db?.stop());

  it('stops boot with exit 1 and one line naming DATA_DIR, its path and why', async () => {
    const { code, output, mountPoint } = await bootOnReadOnlyDataDir({
      NODE_ENV: 'production',
      SECRET_KEY: TEST_SECRET_KEY,
      ROLE: 'worker',
      MONGODB_URI: db.uri,
    });
    assert.equal(code, 1, output);
    const lines = output.split('\n').filter((line) => /DATA_DIR/.test(line));
    assert.equal(lines.length, 1, output);
    assert.match(
      lines[0],
      new RegExp(`DATA_DIR ${join(mountPoint, 'streamvault')} cannot be created or written`),
    );
    assert.match(lines[0], /read-only file system/);
  });

  it('says so too when it would have kept a generated SECRET_KEY there', async () => {
    const { code, output } = await bootOnReadOnlyDataDir({ NODE_ENV: 'development', MONGODB_URI: db.uri });
    assert.equal(code, 1, output);
    assert.match(
      output,
      /invalid configuration: DATA_DIR: cannot keep a generated SECRET_KEY in .* \(read-only file system, EROFS\)/,
    );
  });
});
