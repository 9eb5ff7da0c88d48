import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../../scripts/lib/net.mjs';
import { startApp } from '../support/app-process.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';

async function health(app: { get: (path: string) => Promise<Response> }) {
  const res = await app.get('/healthz');
  return {
    status: res.status,
    body: (await res.json()) as { status: string; checks: Record<string, string> },
  };
}

describe('health follows its dependencies', () => {
  let db: TestDatabase;
  before(async () => {
    db = await startTestDatabase();
  });
  after(() => db?.stop());

  it('reports mongo down within 5 s of FerretDB dying, and up again once it is back', async () => {
    const app = await startApp({ ROLE: 'streamer', MONGODB_URI: db.uri });
    try {
      await eventually(
        () => health(app),
        (h) => h.status === 200,
        { what: 'healthy at start' },
      );
      await db.kill();
      const down = await eventually(
        () => health(app),
        (h) => h.status === 503,
        { timeoutMs: 5000, what: '503 after kill' },
      );
      assert.equal(down.body.status, 'degraded');
      assert.equal(down.body.checks.mongo, 'down');
      assert.equal(down.body.checks.redis, 'up');

      await db.restart();
      const up = await eventually(
        () => health(app),
        (h) => h.status === 200,
        { timeoutMs: 20000, what: '200 after restart' },
      );
      assert.deepEqual(up.body.checks, { mongo: 'up', redis: 'up' });
    } finally {
      await app.stop();
    }
  });

  for (const role of ['streamer', 'manager', 'worker']) {
    it(`boots a ${role} while Redis cannot be reached, reports it down (503), and logs it as log lines`, async () => {
      const closedPort = await freePort();
      // startApp waits for the port: a manager used to wait for ever on a queue call at boot.
      const app = await startApp({
        ROLE: role,
        MONGODB_URI: db.uri,
        REDIS_URL: `redis://127.0.0.1:${closedPort}`,
      });
      try {
        const down = await eventually(
          () => health(app),
          (h) => h.status === 503 && h.body.checks.mongo === 'up',
          { timeoutMs: 10000, what: 'redis down, mongo up' },
        );
        assert.equal(down.body.checks.redis, 'down');
        // Queues without an error listener printed raw stacks (console.error) on every retry.
        const raw = `${app.stdout()}${app.stderr()}`
          .split('\n')
          .filter((line) => line.trim() !== '' && !line.startsWith('{'));
        assert.deepEqual(raw.slice(0, 5), [], 'every line is a JSON log line');
      } finally {
        await app.stop();
      }
    });
  }

  it('boots while the database is unreachable and reports it', async () => {
    const closedPort = await freePort();
    const app = await startApp({ ROLE: 'worker', MONGODB_URI: `mongodb://127.0.0.1:${closedPort}/sv` });
    try {
      const h = await health(app);
      assert.equal(h.status, 503);
      assert.equal(h.body.checks.mongo, 'down');
      await eventually(
        async () => app.stdout(),
        (out) => /cannot reach MongoDB .*retrying in/.test(out),
        {
          what: 'a log line explaining the retry',
        },
      );
    } finally {
      await app.stop();
    }
  });
});
