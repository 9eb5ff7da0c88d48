import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { RedisClient } from '../../src/core/redis/redis-client.js';
import { RedisMutex } from '../../src/core/redis/redis-mutex.js';
import { TenantStreamSlots } from '../../src/core/tenancy/tenant-stream-slots.js';
import { TenantUsageRepository, usageDay } from '../../src/core/tenancy/tenant-usage.repository.js';
import { TenantRepository } from '../../src/core/tenancy/tenant.repository.js';
import { tenantLock } from '../../src/franchise/tenants/tenant-lock.js';
import { TenantsService } from '../../src/franchise/tenants/tenants.service.js';
import { TenantUsageService } from '../../src/franchise/usage/tenant-usage.service.js';
import { LibraryService } from '../../src/library/library.service.js';
import { PartyRoomRepository } from '../../src/site/party/party-room.repository.js';
import { TenantUsageMeter } from '../../src/stream/usage/tenant-usage.meter.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { HostClient } from '../support/host-client.js';
import { type TestClient } from '../support/http.js';
import { type InProcessApp, signInAdmin, startInProcessApp } from '../support/in-process-app.js';
import { storeFile } from '../support/library-fixtures.js';
import { randomFile } from '../support/media.js';
import { openPaused } from '../support/paused-request.js';

const HOST = 'meter.example.com';
const SIZE = 256 * 1024;
const BIG = 16 * 1024 * 1024;
const MIB = 1024 ** 2;

describe('franchise: metering and quotas', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let operator: TestClient;
  let tenantId: string;
  let link: string;
  let bigLink: string;
  let defaultLink: string;

  const sign = async (client: HostClient, fileId: string) => {
    const res = await client.post('/sign', { fileId });
    assert.equal(res.status, 200, res.text);
    const url = new URL(String(res.body.url));
    return `${url.pathname}${url.search}`;
  };

  before(async () => {
    db = await startTestDatabase();
    server = await startInProcessApp({ MONGODB_URI: db.uri, ROLE: 'manager,streamer' });
    operator = await signInAdmin(server);
    const created = await operator.post('/api/tenants', {
      slug: 'meter',
      name: 'Meter, "Inc"',
      domains: [HOST],
      plan: { name: 'pro', priceCents: 4900 },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    tenantId = String(created.body.id);
    const files = [];
    for (const size of [SIZE, BIG]) {
      const { path } = randomFile(size);
      files.push(await storeFile(server.app, path, `clip-${size}.bin`));
      rmSync(dirname(path), { recursive: true, force: true });
    }
    const guest = new HostClient(server.url, HOST);
    await guest.get('/');
    link = await sign(guest, String(files[0]._id));
    bigLink = await sign(guest, String(files[1]._id));
    const operatorGuest = new HostClient(server.url, '127.0.0.1');
    await operatorGuest.get('/');
    defaultLink = await sign(operatorGuest, String(files[0]._id));
  });
  after(async () => {
    await server?.close();
    await db?.stop();
  });

  it('counts the bytes served per tenant exactly under 50 concurrent streams', async () => {
    const ranges = Array.from({ length: 50 }, (_, i) =>
      i % 5 === 0 ? { range: `bytes=${i * 1000}-${i * 1000 + 4095}` } : ({} as Record<string, string>),
    );
    const responses = await Promise.all(
      ranges.map((headers) => new HostClient(server.url, HOST).get(link, headers)),
    );
    assert.ok(responses.every((res) => res.status === 200 || res.status === 206));
    const served = responses.reduce((sum, res) => sum + res.bytes.length, 0);
    assert.equal(served, 40 * SIZE + 10 * 4096);
    const elsewhere = await Promise.all(
      Array.from({ length: 5 }, () => new HostClient(server.url, '127.0.0.1').get(defaultLink)),
    );
    const servedDefault = elsewhere.reduce((sum, res) => sum + res.bytes.length, 0);

    await server.app.get(TenantUsageMeter).flush();
    const usage = await operator.get(`/api/tenants/${tenantId}/usage`);
    assert.equal(usage.status, 200, JSON.stringify(usage.body));
    assert.equal(usage.body.totalBytes, served);
    const today = (usage.body.days as { day: string; bytes: number }[]).find((d) => d.day === usageDay());
    assert.equal(today?.bytes, served);
    const counted = await server.app.get(TenantUsageRepository).countedBytes('default', [usageDay()]);
    assert.equal(counted.get(usageDay()), servedDefault);
  });

  it('archives the counters to tenant_usage and exports the month as CSV', async () => {
    await server.app.get(TenantUsageService).archive();
    const archived = await server.app.get(TenantUsageRepository).archivedBytes(tenantId, [usageDay()]);
    assert.equal(archived.get(usageDay()), 40 * SIZE + 10 * 4096);
    const csv = await operator.get('/api/tenants/usage.csv');
    assert.equal(csv.status, 200);
    assert.match(String(csv.headers.get('content-type')), /^text\/csv/);
    assert.match(
      String(csv.headers.get('content-disposition')),
      /attachment; filename="tenant-usage-\d{4}-\d{2}\.csv"/,
    );
    const lines = String(csv.body).trim().split('\r\n');
    assert.equal(lines[0], 'tenant_id,slug,name,plan,price_cents,bytes,gib,quota_gib,over_quota');
    assert.equal(
      lines[1],
      `${tenantId},meter,"Meter, ""Inc""",pro,4900,${40 * SIZE + 10 * 4096},0.01,,false`,
    );
    // A month that is not one YYYY-MM is a 400, never a header the server cannot write (a 500).
    for (const month of ['2026-13', '%0aX', '%E2%82%AC', '2026-11&month=2026-12']) {
      const refused = await operator.get(`/api/tenants/usage.csv?month=${month}`);
      assert.equal(refused.status, 400, month);
      assert.equal(refused.body.error, 'bad_request', month);
    }
    assert.equal((await operator.get(`/api/tenants/${tenantId}/usage?month=1&month=2`)).status, 400);
  });

  it('refuses new streams past the concurrent-stream quota with 429, and frees the slot when one ends', async () => {
    await operator.patch(`/api/tenants/${tenantId}`, { quotas: { concurrentStreams: 1 } });
    const held = await openPaused(server.url, HOST, bigLink);
    assert.equal(held.statusCode, 200);
    const second = await new HostClient(server.url, HOST).get(link);
    assert.deepEqual([second.status, second.body.error], [429, 'too_many_streams']);
    // Another site's streams are not this tenant's.
    assert.equal((await new HostClient(server.url, '127.0.0.1').get(defaultLink)).status, 200);
    held.destroy();
    await eventually(
      () => new HostClient(server.url, HOST).get(link),
      (res) => res.status === 200,
      { what: 'the slot to be free again' },
    );
  });

  it('lets exactly N of a burst of N+5 simultaneous streams start against a quota of N', async () => {
    const quota = 3;
    await operator.patch(`/api/tenants/${tenantId}`, { quotas: { concurrentStreams: quota } });
    const burst = await Promise.all(
      Array.from({ length: quota + 5 }, () => openPaused(server.url, HOST, bigLink)),
    );
    try {
      const statuses = burst.map((res) => res.statusCode).sort();
      assert.deepEqual(statuses, [...Array<number>(quota).fill(200), ...Array<number>(5).fill(429)]);
      assert.equal(await server.app.get(TenantStreamSlots).held(tenantId), quota);
    } finally {
      for (const res of burst) res.destroy();
    }
    // Every slot comes back when its stream ends.
    await eventually(
      () => server.app.get(TenantStreamSlots).held(tenantId),
      (held) => held === 0,
      { what: 'the slots to be released' },
    );
  });

  it('refuses streams past the month’s GiB with 402 and a JSON body', async () => {
    const fileId = link.split('/')[2];
    const roomId = 'metered-room-012345678';
    await server.app.get(PartyRoomRepository).create(roomId, fileId, Date.now());
    await server.app.get(TenantUsageRepository).record(usageDay(), new Map([[tenantId, 1024 ** 3]]));
    const patched = await operator.patch(`/api/tenants/${tenantId}`, {
      quotas: { concurrentStreams: null, gibPerMonth: 1 },
    });
    assert.deepEqual([patched.status, patched.body.quotas], [200, { gibPerMonth: 1 }]);
    const res = await new HostClient(server.url, HOST).get(link);
    assert.deepEqual([res.status, res.body.error], [402, 'quota_exceeded']);
    assert.match(String(res.body.message), /1 GiB/);
    const usage = await operator.get(`/api/tenants/${tenantId}/usage`);
    assert.deepEqual([usage.body.quotaGib, usage.body.overQuota], [1, true]);
    // The player page says so, in the site's style, rather than showing a video that fails.
    const page = await new HostClient(server.url, HOST).get(`/play/${link.split('/')[2]}`, {
      accept: 'text/html',
    });
    assert.equal(page.status, 402);
    assert.match(page.text, /Streaming is paused/);
    assert.match(page.text, /used this month&#x27;s streaming|used this month's streaming/);
    // So does a watch party's page, and a new party is not started.
    const party = await new HostClient(server.url, HOST).get(`/party/${roomId}`, { accept: 'text/html' });
    assert.equal(party.status, 402);
    assert.match(party.text, /Streaming is paused/);
    const viewer = new HostClient(server.url, HOST);
    await viewer.get('/');
    const started = await viewer.post('/api/party', { fileId });
    assert.deepEqual([started.status, started.body.error], [402, 'quota_exceeded']);
  });

  it('takes its comments-per-day quota, then answers 429', async () => {
    await operator.patch(`/api/tenants/${tenantId}`, { quotas: { gibPerMonth: null, commentsPerDay: 2 } });
    const title = await server.app
      .get(LibraryService)
      .upsertSkeleton({ kind: 'movie', name: 'Talkative', year: 2020 });
    const viewer = new HostClient(server.url, HOST);
    await viewer.get('/');
    const statuses = [];
    for (const body of ['one', 'two', 'three']) {
      statuses.push((await viewer.post(`/api/titles/${String(title._id)}/comments`, { body })).status);
    }
    assert.deepEqual(statuses, [201, 201, 429]);
    // The operator's site has no such quota.
    const own = new HostClient(server.url, '127.0.0.1');
    await own.get('/');
    assert.equal((await own.post(`/api/titles/${String(title._id)}/comments`, { body: 'four' })).status, 201);
  });

  it('keeps what was archived when Redis loses the counters, and a month over quota stays over', async () => {
    const host = 'amnesia.example.com';
    const created = await operator.post('/api/tenants', {
      slug: 'amnesia',
      name: 'Amnesia',
      domains: [host],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = String(created.body.id);
    const guest = new HostClient(server.url, host);
    await guest.get('/');
    const fileId = link.split('/')[2];
    const amnesiaLink = await sign(guest, fileId);
    const usage = server.app.get(TenantUsageRepository);
    const today = usageDay();
    const count = (bytes: number) => usage.record(today, new Map([[id, bytes]]));
    const archive = () => server.app.get(TenantUsageService).archive();
    const archived = async () => (await usage.archivedBytes(id, [today])).get(today);
    const shown = async () => {
      const res = await operator.get(`/api/tenants/${id}/usage`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return { totalBytes: Number(res.body.totalBytes), overQuota: res.body.overQuota === true };
    };

    await count(600 * MIB);
    await archive();
    assert.equal(await archived(), 600 * MIB);

    // Redis is lost; its new counter passes the old one before the next archive: both are counted.
    await loseCounters(server, id);
    await count(700 * MIB);
    assert.equal((await shown()).totalBytes, 1300 * MIB);
    await archive();
    await archive(); // a second run adds nothing
    assert.equal(await archived(), 1300 * MIB);
    assert.equal((await shown()).totalBytes, 1300 * MIB);

    // Lost again: a counter below the last one seen is new bytes too, never a lower total.
    await loseCounters(server, id);
    await count(50 * MIB);
    assert.equal((await shown()).totalBytes, 1350 * MIB);
    await archive();
    assert.equal(await archived(), 1350 * MIB);

    // Over its GiB before the loss, over after it: streams and the player refuse, as the panel says.
    await loseCounters(server, id);
    await count(MIB);
    const patched = await operator.patch(`/api/tenants/${id}`, { quotas: { gibPerMonth: 1 } });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    const month = await shown();
    assert.deepEqual([month.totalBytes, month.overQuota], [1351 * MIB, true]);
    const refused = await new HostClient(server.url, host).get(amnesiaLink);
    assert.deepEqual([refused.status, refused.body.error], [402, 'quota_exceeded']);
    const page = await new HostClient(server.url, host).get(`/play/${fileId}`, { accept: 'text/html' });
    assert.equal(page.status, 402);
  });

  it('lets a purge win over an archive running at that moment: no usage row outlives the tenant', async (t) => {
    const id = await createTenant(operator, 'racing');
    const usage = server.app.get(TenantUsageRepository);
    const today = usageDay();
    await usage.record(today, new Map([[id, 5 * MIB]]));
    const tenants = server.app.get(TenantsService);
    const refused = lockRefused(t, server.app.get(RedisClient), `lock:tenant:${id}`);
    let purge: Promise<void> | undefined;
    const counted = usage.counted.bind(usage);
    t.mock.method(usage, 'counted', async (tenantId: string, days: readonly string[], mark?: boolean) => {
      const found = await counted(tenantId, days, mark);
      if (tenantId === id && mark && !purge) {
        // The archive has read the tenant's counters and written nothing yet: the purge starts now,
        // and runs to its end unless it has to wait for the archive.
        purge = tenants.delete(id, true);
        await Promise.race([purge, refused]);
      }
      return found;
    });

    await server.app.get(TenantUsageService).archive();
    assert.ok(purge, 'the purge ran during the archive');
    await purge;
    assert.equal((await usage.archived(id, [today])).size, 0, 'no usage row is written back');
    assert.equal((await usage.countedBytes(id, [today])).get(today), 0);
    assert.equal((await operator.get(`/api/tenants/${id}`)).status, 404);
  });

  it('writes no usage row for a tenant purged after the archive listed it, whatever a streamer counted late', async (t) => {
    const id = await createTenant(operator, 'late');
    const usage = server.app.get(TenantUsageRepository);
    const today = usageDay();
    await usage.record(today, new Map([[id, 5 * MIB]]));
    const repository = server.app.get(TenantRepository);
    const list = repository.list.bind(repository);
    let purged = false;
    t.mock.method(repository, 'list', async () => {
      const listed = await list();
      if (!purged) {
        purged = true;
        // Between the listing and the tenant's turn: it is purged, then a streamer writes what it had
        // counted for it (up to 2 s of bytes) into a fresh counter.
        await server.app.get(TenantsService).delete(id, true);
        await usage.record(today, new Map([[id, MIB]]));
      }
      return listed;
    });

    await server.app.get(TenantUsageService).archive();
    assert.ok(purged);
    assert.equal((await usage.archived(id, [today])).size, 0, 'no usage row is written back');
  });

  it('archives a tenant being edited at that moment in the same round, once the edit lets go of its lock', async (t) => {
    const id = await createTenant(operator, 'edited');
    const usage = server.app.get(TenantUsageRepository);
    const today = usageDay();
    await usage.record(today, new Map([[id, 3 * MIB]]));
    const refused = lockRefused(t, server.app.get(RedisClient), `lock:tenant:${id}`);
    const edit = holdLock(server, tenantLock(id));
    await edit.held;

    const archive = server.app.get(TenantUsageService).archive();
    await refused; // the archive has come to this tenant and found it locked
    edit.release();
    await archive;
    assert.equal((await usage.archivedBytes(id, [today])).get(today), 3 * MIB);
  });

  it('skips a tenant whose lock stays held (a long purge) until the next round, and archives the others', async () => {
    const usage = server.app.get(TenantUsageRepository);
    const today = usageDay();
    const purging = await createTenant(operator, 'held-a');
    const next = await createTenant(operator, 'held-b'); // listed after it (by slug)
    await usage.record(
      today,
      new Map([
        [purging, MIB],
        [next, 2 * MIB],
      ]),
    );
    const purge = holdLock(server, tenantLock(purging));
    await purge.held;
    try {
      await server.app.get(TenantUsageService).archive();
    } finally {
      purge.release();
    }
    assert.equal((await usage.archived(purging, [today])).size, 0, 'next round');
    assert.equal((await usage.archivedBytes(next, [today])).get(today), 2 * MIB);
  });
});

/** A tenant of its own for one case; its id. */
async function createTenant(operator: TestClient, slug: string): Promise<string> {
  const created = await operator.post('/api/tenants', {
    slug,
    name: slug,
    domains: [`${slug}.example.com`],
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return String(created.body.id);
}

/** Holds the Redis lock `name` as another process would (a tenant edit or purge) until released. */
function holdLock(server: InProcessApp, name: string): { held: Promise<void>; release: () => void } {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const held = new Promise<void>((resolve) => {
    void server.app.get(RedisMutex).withLock(name, async () => {
      resolve();
      await released;
    });
  });
  return { held, release };
}

/** Resolves once someone asks for the Redis lock `key` (SET NX) while another holds it. */
function lockRefused(t: TestContext, redis: RedisClient, key: string): Promise<void> {
  const client = redis.client;
  const set = client.set.bind(client) as (...args: unknown[]) => Promise<unknown>;
  return new Promise((resolve) => {
    t.mock.method(client, 'set', async (...args: unknown[]) => {
      const answer = await set(...args);
      if (args[0] === key && answer !== 'OK') resolve();
      return answer;
    });
  });
}

/**
 * What a lost Redis leaves of a tenant's metering: nothing. Only this app's REDIS_PREFIX is touched
 * (the test Redis is shared).
 */
async function loseCounters(server: InProcessApp, tenantId: string): Promise<void> {
  const redis = server.app.get(RedisClient);
  const prefix = redis.key('');
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.client.scan(
      cursor,
      'MATCH',
      `${prefix}tenant-usage:{${tenantId}}:*`,
      'COUNT',
      1000,
    );
    keys.push(...found);
    cursor = next;
  } while (cursor !== '0');
  assert.ok(keys.length > 0);
  await redis.client.del(...keys.map((key) => key.slice(prefix.length)));
}
