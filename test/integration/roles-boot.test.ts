import assert from 'node:assert/strict';
import { statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { readsOnLoop } from '../../src/core/storage/local-filesystems.js';
import { startApp } from '../support/app-process.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';

const EXPECTED: Record<string, { role: string; modules: string[]; queues: boolean }> = {
  manager: {
    role: 'manager',
    modules: ['core', 'auth', 'library', 'ingest', 'site', 'bot', 'admin', 'readvault', 'music', 'franchise'],
    queues: true,
  },
  worker: { role: 'worker', modules: ['core', 'library', 'ingest', 'readvault', 'music'], queues: true },
  streamer: {
    role: 'streamer',
    modules: ['core', 'auth', 'library', 'stream', 'readvault', 'music'],
    queues: false,
  },
  all: {
    role: 'all',
    modules: [
      'core',
      'auth',
      'library',
      'ingest',
      'stream',
      'site',
      'bot',
      'admin',
      'readvault',
      'music',
      'franchise',
    ],
    queues: true,
  },
};

describe('each role boots against real FerretDB and Redis', () => {
  let db: TestDatabase;
  before(async () => {
    db = await startTestDatabase();
  });
  after(() => db?.stop());

  for (const [role, expected] of Object.entries(EXPECTED)) {
    it(`ROLE=${role}: /healthz lists exactly its modules and /metrics answers`, async () => {
      const app = await startApp({ ROLE: role, MONGODB_URI: db.uri });
      try {
        const health = await app.get('/healthz');
        const body = await health.json();
        assert.equal(health.status, 200, JSON.stringify(body));
        assert.deepEqual(body, {
          status: 'ok',
          role: expected.role,
          modules: expected.modules,
          checks: { mongo: 'up', redis: 'up' },
        });

        const metrics = await app.get('/metrics');
        assert.equal(metrics.status, 200);
        assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain/);
        const text = await metrics.text();
        assert.match(text, /^process_cpu_user_seconds_total /m);
        assert.match(
          text,
          /streamvault_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} 1/,
        );
        if (expected.modules.includes('stream')) {
          // Whether the local disk sent the streams' first reads back to the thread pool.
          assert.match(text, /^streamvault_local_inline_backoffs_total 0$/m);
          // DATA_DIR is a temporary directory: on the loop if that is a local disk's.
          const onLoop = readsOnLoop('auto', statfsSync(tmpdir()).type).allowed ? 1 : 0;
          assert.match(text, new RegExp(`^streamvault_local_reads_on_loop ${onLoop}$`, 'm'));
        }
        if (expected.queues) {
          assert.match(text, /streamvault_queue_jobs\{queue="ingest",state="waiting"\} 0/);
        } else {
          assert.doesNotMatch(text, /streamvault_queue_jobs/);
        }
      } finally {
        await app.stop();
      }
    });
  }

  it('LOCAL_READS_ON_LOOP=off keeps every local read on the thread pool, and says so at boot', async () => {
    const app = await startApp({ ROLE: 'streamer', MONGODB_URI: db.uri, LOCAL_READS_ON_LOOP: 'off' });
    try {
      const text = await (await app.get('/metrics')).text();
      assert.match(text, /^streamvault_local_reads_on_loop 0$/m);
      assert.match(app.stdout(), /LOCAL_READS_ON_LOOP=off, so every read goes through the thread pool/);
    } finally {
      await app.stop();
    }
  });
});
