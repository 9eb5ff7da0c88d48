import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TenantUsageRepository, usageDay } from '../../src/core/tenancy/tenant-usage.repository.js';
import { TenantUsageMeter } from '../../src/stream/usage/tenant-usage.meter.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { HostClient } from '../support/host-client.js';
import { type InProcessApp, signInAdmin, startInProcessApp } from '../support/in-process-app.js';
import { storeFile } from '../support/library-fixtures.js';
import { randomFile } from '../support/media.js';
import { startNginx } from '../support/nginx.js';

const STREAM_SECRET = 'nginx-and-app-share-this-secret';
const TENANT_HOST = 'cached.example.com';
const SIZE = 3 * 1024 * 1024 + 77;

describe('nginx in front of a franchise tenant: tenant links go to the streamer uncached', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let nginx: Awaited<ReturnType<typeof startNginx>>;
  let source: Buffer;
  let tenantId: string;
  let tenantLink: string;
  let operatorLink: string;

  const signOn = async (host: string, fileId: string) => {
    const guest = new HostClient(nginx.url, host);
    await guest.get('/');
    const res = await guest.post('/sign', { fileId });
    assert.equal(res.status, 200, res.text);
    const url = new URL(String(res.body.url));
    return `${url.pathname}${url.search}`;
  };
  const meteredToday = async (tenant: string) => {
    await server.app.get(TenantUsageMeter).flush();
    const counted = await server.app.get(TenantUsageRepository).countedBytes(tenant, [usageDay()]);
    return counted.get(usageDay()) ?? 0;
  };

  before(async () => {
    db = await startTestDatabase();
    // The app trusts its nginx, as compose has it: X-Forwarded-Host from nginx is believed.
    server = await startInProcessApp({
      MONGODB_URI: db.uri,
      ROLE: 'manager,streamer',
      STREAM_SECRET,
      TRUSTED_PROXIES: '127.0.0.1',
    });
    const operator = await signInAdmin(server);
    const created = await operator.post('/api/tenants', {
      slug: 'cached',
      name: 'Cached',
      domains: [TENANT_HOST],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    tenantId = String(created.body.id);
    const random = randomFile(SIZE);
    source = random.bytes;
    const file = await storeFile(server.app, random.path, 'shared movie.mkv', 'video/x-matroska');
    nginx = await startNginx(new URL(server.url).host, STREAM_SECRET);
    tenantLink = await signOn(TENANT_HOST, String(file._id));
    operatorLink = await signOn('127.0.0.1', String(file._id));
    assert.match(tenantLink, /[?&]t=/);
    assert.doesNotMatch(operatorLink, /[?&]t=/);
  });
  after(async () => {
    await nginx?.stop();
    await server?.close();
    await db?.stop();
  });

  it('passes a tenant range to the streamer as asked (no 1 MiB slice), every time, and meters exactly those bytes', async () => {
    const before = await meteredToday(tenantId);
    const range = { range: 'bytes=1048000-1051999' };
    for (let i = 0; i < 2; i++) {
      const res = await new HostClient(nginx.url, TENANT_HOST).get(tenantLink, range);
      assert.equal(res.status, 206, res.text);
      assert.equal(res.headers['x-cache-status'], undefined);
      assert.equal(res.headers['content-range'], `bytes 1048000-1051999/${SIZE}`);
      assert.ok(res.bytes.equals(source.subarray(1048000, 1052000)));
    }
    const whole = await new HostClient(nginx.url, TENANT_HOST).get(tenantLink);
    assert.equal(whole.status, 200);
    assert.ok(whole.bytes.equals(source));
    assert.equal((await meteredToday(tenantId)) - before, 2 * 4000 + SIZE);
  });

  it('never answers a tenant link from a range the operator’s links cached, on any host; nor an operator link on a tenant’s host', async () => {
    const range = { range: 'bytes=2097152-2097251' };
    const cached = await new HostClient(nginx.url, '127.0.0.1').get(operatorLink, range);
    await new HostClient(nginx.url, '127.0.0.1').get(operatorLink, range);
    assert.equal(cached.status, 206);
    const hit = await new HostClient(nginx.url, '127.0.0.1').get(operatorLink, range);
    assert.equal(hit.headers['x-cache-status'], 'HIT');
    // The tenant's link copied to the operator's host reaches the app, which refuses it.
    const copied = await new HostClient(nginx.url, '127.0.0.1').get(tenantLink, range);
    assert.equal(copied.status, 403);
    assert.equal(copied.body.error, 'forbidden');
    // And the operator's link copied to the tenant's host is not a HIT there (the host is in the key).
    const borrowed = await new HostClient(nginx.url, TENANT_HOST).get(operatorLink, range);
    assert.equal(borrowed.status, 403);
    assert.notEqual(borrowed.headers['x-cache-status'], 'HIT');
  });

  it('refuses a tenant link replayed on the operator’s site with t moved into the file name, in nginx and in the app', async () => {
    // Signed as "<expires><path><t>", /…/movie.mkv?t=<id> was also the operator's /…/movie.mkv<id>:
    // streamed (and cached) on the default site, outside the tenant's quotas and metering.
    const link = new URL(tenantLink, 'http://x');
    const t = link.searchParams.get('t')!;
    const forged = `${link.pathname}${t}?md5=${link.searchParams.get('md5')}&expires=${link.searchParams.get('expires')}`;
    const range = { range: 'bytes=0-9' };
    const viaNginx = await new HostClient(nginx.url, '127.0.0.1').get(forged, range);
    assert.equal(viaNginx.status, 403, viaNginx.text);
    assert.equal(viaNginx.body.error, 'forbidden');
    const direct = await new HostClient(server.url, '127.0.0.1').get(forged, range);
    assert.equal(direct.status, 403, direct.text);
    assert.equal(direct.body.error, 'forbidden');
    // The tenant's own link still plays on its host, through nginx and straight from the app.
    for (const base of [nginx.url, server.url]) {
      const res = await new HostClient(base, TENANT_HOST).get(tenantLink, range);
      assert.equal(res.status, 206, res.text);
      assert.ok(res.bytes.equals(source.subarray(0, 10)));
    }
  });

  it('picks the site by the Host nginx keys its cache on, never by an X-Forwarded-Host the client sent', async () => {
    const guest = new HostClient(nginx.url, '127.0.0.1');
    await guest.get('/');
    const file = await storeFile(server.app, randomFile(1024).path, 'host check.mkv', 'video/x-matroska');
    const res = await guest.post('/sign', { fileId: String(file._id) }, { 'x-forwarded-host': TENANT_HOST });
    assert.equal(res.status, 200, res.text);
    assert.doesNotMatch(String(res.body.url), /[?&]t=/, "signed for the operator's site, as its Host says");
  });

  it('still caches the operator’s own links', async () => {
    const range = { range: 'bytes=3145728-3145804' };
    const first = await new HostClient(nginx.url, '127.0.0.1').get(operatorLink, range);
    assert.equal(first.headers['x-cache-status'], 'MISS');
    const second = await new HostClient(nginx.url, '127.0.0.1').get(operatorLink, range);
    assert.equal(second.headers['x-cache-status'], 'HIT');
    assert.ok(second.bytes.equals(source.subarray(3145728, 3145805)));
  });
});
