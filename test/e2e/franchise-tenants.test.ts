import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { after, before, describe, it } from 'node:test';
import mongoose from 'mongoose';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { HostClient } from '../support/host-client.js';
import { type TestClient } from '../support/http.js';
import {
  type InProcessApp,
  signInAdmin,
  signInNewUser,
  startInProcessApp,
} from '../support/in-process-app.js';
import { storeFile } from '../support/library-fixtures.js';
import { randomFile } from '../support/media.js';
import { uniqueRedisPrefix } from '../support/redis.js';

describe('franchise: tenants by domain', () => {
  let db: TestDatabase;
  let manager: InProcessApp;
  let strict: InProcessApp;
  let admin: TestClient;

  before(async () => {
    db = await startTestDatabase();
    const redisPrefix = uniqueRedisPrefix();
    manager = await startInProcessApp({ MONGODB_URI: db.uri, ROLE: 'manager', REDIS_PREFIX: redisPrefix });
    // A second manager of the same install that refuses unknown hosts (and must hear tenant changes).
    strict = await startInProcessApp({
      MONGODB_URI: db.uri,
      ROLE: 'manager',
      REDIS_PREFIX: redisPrefix,
      TENANT_UNKNOWN_HOST: 'reject',
      TRUSTED_PROXIES: '127.0.0.1/8',
    });
    admin = await signInAdmin(manager);
  });
  after(async () => {
    await strict?.close();
    await manager?.close();
    await db?.stop();
  });

  const site = (app: InProcessApp, host: string) => new HostClient(app.url, host).get('/api/site');

  it('creates a tenant whose domains (any spelling) serve its site; other hosts get the default site', async () => {
    const created = await admin.post('/api/tenants', {
      slug: 'cinema',
      name: 'Cinema Club',
      domains: ['Cinema.Example.com', 'bücher-kino.example'],
      branding: { siteName: 'Cinema Club', colors: { primary: '#e50914' } },
      quotas: { concurrentStreams: 3 },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.match(String(created.body.id), /^[0-9a-f]{24}$/);
    assert.deepEqual(created.body.domains, ['cinema.example.com', 'xn--bcher-kino-9db.example']);
    assert.equal(created.body.status, 'active');
    assert.deepEqual(created.body.quotas, { concurrentStreams: 3 });

    for (const host of [
      'cinema.example.com',
      'CINEMA.EXAMPLE.COM:8443',
      'cinema.example.com.',
      'bücher-kino.example',
    ]) {
      const res = await site(manager, host);
      assert.equal(res.status, 200, host);
      assert.deepEqual(
        [res.body.siteName, (res.body.tenant as { slug: string }).slug],
        ['Cinema Club', 'cinema'],
        host,
      );
    }
    const other = await site(manager, 'unknown.example.org');
    assert.deepEqual([other.status, other.body.tenant, other.body.siteName], [200, null, 'StreamVault']);
  });

  it('lists tenants and shows one', async () => {
    const listed = await admin.get('/api/tenants');
    assert.equal(listed.status, 200);
    const [tenant] = listed.body as { id: string; slug: string }[];
    assert.equal(tenant.slug, 'cinema');
    const one = await admin.get(`/api/tenants/${tenant.id}`);
    assert.deepEqual([one.status, one.body.name], [200, 'Cinema Club']);
    assert.equal((await admin.get('/api/tenants/0123456789abcdef01234567')).status, 404);
    assert.equal((await admin.get('/api/tenants/not-an-id')).status, 404);
  });

  it('never lets two tenants hold the same domain or slug', async () => {
    const sameDomain = await admin.post('/api/tenants', {
      slug: 'copycat',
      name: 'Copycat',
      domains: ['other.example.com', 'CINEMA.example.com'],
    });
    assert.deepEqual([sameDomain.status, sameDomain.body.error], [409, 'conflict']);
    assert.match(String(sameDomain.body.message), /cinema\.example\.com/);
    // The domain it claimed before the conflict is free again.
    const later = await admin.post('/api/tenants', {
      slug: 'other',
      name: 'Other',
      domains: ['other.example.com'],
    });
    assert.equal(later.status, 201, JSON.stringify(later.body));
    const sameSlug = await admin.post('/api/tenants', {
      slug: 'cinema',
      name: 'X',
      domains: ['x.example.com'],
    });
    assert.equal(sameSlug.status, 409);
    await admin.delete(`/api/tenants/${String(later.body.id)}`);
  });

  it('refuses bad input with a clear 400', async () => {
    const cases: unknown[] = [
      { slug: 'ok', name: 'Bad', domains: ['https://evil.com/'] },
      { slug: 'ok', name: 'Bad', domains: ['evil.com:8080'] },
      { slug: 'ok', name: 'Bad', domains: ['10.0.0.1'] },
      { slug: 'ok', name: 'Bad', domains: [] },
      { slug: 'default', name: 'Bad', domains: ['ok.example.com'] },
      { slug: 'Has Spaces', name: 'Bad', domains: ['ok.example.com'] },
      { slug: 'ok', name: 'Bad', domains: ['ok.example.com'], surprise: true },
      {
        slug: 'ok',
        name: 'Bad',
        domains: ['ok.example.com'],
        branding: { logo: 'https://tracker.example/x.png' },
      },
      { slug: 'ok', name: 'Bad', domains: ['ok.example.com'], branding: { colors: { primary: 'red;}' } } },
      { slug: 'ok', name: 'Bad', domains: ['ok.example.com'], scope: { mode: 'filtered', kinds: ['porn'] } },
      // A word where a list belongs (it was split into letters), a blank genre, an image from another host.
      { slug: 'ok', name: 'Bad', domains: ['ok.example.com'], scope: { mode: 'filtered', kinds: 'movie' } },
      { slug: 'ok', name: 'Bad', domains: ['ok.example.com'], scope: { mode: 'filtered', genres: [' '] } },
      { slug: 'ok', name: 'Bad', domains: ['ok.example.com'], branding: { logo: '//evil.example/x.png' } },
      { slug: 'ok', name: 'Bad', domains: ['ok.example.com'], plan: { name: 'pro', priceCents: 1e300 } },
    ];
    for (const body of cases) {
      const res = await admin.post('/api/tenants', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(typeof res.body.message, 'string');
    }
    const own = await admin.post('/api/tenants', {
      slug: 'own',
      name: 'Own',
      domains: ['localhost.example'],
    });
    assert.equal(own.status, 201);
    // A change is checked like a new tenant, field by field; the slug is fixed once made.
    for (const change of [
      { domains: [] },
      { name: '' },
      { status: 'paused' },
      { slug: 'renamed' },
      { branding: { colors: { primary: 'red;}' } } },
      { quotas: { concurrentStreams: -1 } },
      // null would blank what it names; only a quota (no limit) or a branding value (the default) may be null.
      { name: null },
      { status: null },
      { branding: null },
      { branding: { colors: null } },
      { features: { download: null } },
    ]) {
      const res = await admin.patch(`/api/tenants/${String(own.body.id)}`, change);
      assert.equal(res.status, 400, JSON.stringify(change));
      assert.equal(typeof res.body.message, 'string');
    }
    assert.equal(
      (await admin.patch(`/api/tenants/${String(own.body.id)}`, { name: 'Own site' })).status,
      200,
    );
    const unlimited = await admin.patch(`/api/tenants/${String(own.body.id)}`, {
      quotas: { gibPerMonth: null },
    });
    assert.equal(unlimited.status, 200);
    await admin.delete(`/api/tenants/${String(own.body.id)}`);
  });

  it('is for the operator only', async () => {
    const viewer = await signInNewUser(manager, 'plainviewer', 'viewer');
    assert.equal((await viewer.get('/api/tenants')).status, 403);
    const anonymous = new HostClient(manager.url, '127.0.0.1');
    assert.equal((await anonymous.get('/api/tenants')).status, 401);
    const onTenantHost = new HostClient(manager.url, 'cinema.example.com');
    assert.notEqual((await onTenantHost.get('/api/tenants')).status, 200);
  });

  it('moves domains: every manager follows at once, the old domain is free again', async () => {
    const [tenant] = (await admin.get('/api/tenants')).body as { id: string }[];
    assert.equal((await site(strict, 'cinema.example.com')).status, 200); // cached there now
    const moved = await admin.patch(`/api/tenants/${tenant.id}`, { domains: ['cinema.example.net'] });
    assert.deepEqual([moved.status, moved.body.domains], [200, ['cinema.example.net']]);
    assert.equal((await site(manager, 'cinema.example.com')).body.tenant, null);
    assert.equal((await site(manager, 'cinema.example.net')).body.siteName, 'Cinema Club');
    // The other manager heard the change (pub/sub) rather than serving its cached answer.
    await eventually(
      () => site(strict, 'cinema.example.com'),
      (res) => res.status === 421,
      { what: 'the other manager to forget the moved domain' },
    );
    assert.equal((await site(strict, 'cinema.example.net')).status, 200);
  });

  it('believes X-Forwarded-Host only from TRUSTED_PROXIES', async () => {
    const forwarded = { 'x-forwarded-host': 'cinema.example.net' };
    const untrusted = await new HostClient(manager.url, '127.0.0.1').get('/api/site', forwarded);
    assert.equal(untrusted.body.tenant, null);
    const trusted = await new HostClient(strict.url, 'proxy.internal').get('/api/site', forwarded);
    assert.equal(trusted.body.siteName, 'Cinema Club');
  });

  it('refuses a request with two Host headers (which site would it be?) with a 400', async () => {
    const { port } = new URL(manager.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () =>
        socket.write(
          'GET /api/site HTTP/1.1\r\nHost: cinema.example.net\r\nHost: other.example\r\nConnection: close\r\n\r\n',
        ),
      );
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    assert.match(answer, /^HTTP\/1\.1 400 /);
    assert.match(answer, /"error":"bad_request"/);
  });

  it('with TENANT_UNKNOWN_HOST=reject answers unknown hosts 421, but not the install itself', async () => {
    const unknown = await site(strict, 'nobody.example.org');
    assert.deepEqual([unknown.status, unknown.body.error], [421, 'misdirected_request']);
    const page = await new HostClient(strict.url, 'nobody.example.org').get('/', { accept: 'text/html' });
    assert.equal(page.status, 421);
    assert.match(page.text, /Site not found/);
    assert.equal((await site(strict, '127.0.0.1')).status, 200);
    assert.equal((await site(strict, 'localhost:3000')).status, 200);
    assert.equal((await new HostClient(strict.url, 'nobody.example.org').get('/healthz')).status, 200);
  });

  it('serves a suspended tenant a branded "temporarily unavailable" (503) and nothing else', async () => {
    const [tenant] = (await admin.get('/api/tenants')).body as { id: string }[];
    const suspended = await admin.patch(`/api/tenants/${tenant.id}`, { status: 'suspended' });
    assert.deepEqual([suspended.status, suspended.body.status], [200, 'suspended']);
    const api = await site(manager, 'cinema.example.net');
    assert.deepEqual([api.status, api.body.error], [503, 'tenant_suspended']);
    const page = await new HostClient(manager.url, 'cinema.example.net').get('/', { accept: 'text/html' });
    assert.equal(page.status, 503);
    assert.match(page.text, /Temporarily unavailable/);
    assert.match(page.text, /Cinema Club/);
    assert.equal((await new HostClient(manager.url, 'cinema.example.net').get('/browse')).status, 503);
    await admin.patch(`/api/tenants/${tenant.id}`, { status: 'active' });
    assert.equal((await site(manager, 'cinema.example.net')).status, 200);
  });

  it('switches features off: their pages and APIs are 404 on that site only', async () => {
    const [tenant] = (await admin.get('/api/tenants')).body as { id: string }[];
    const changed = await admin.patch(`/api/tenants/${tenant.id}`, {
      features: { music: false, comments: false },
    });
    assert.deepEqual(changed.body.features, {
      video: true,
      manga: true,
      music: false,
      comments: false,
      download: true,
    });
    const cinema = new HostClient(manager.url, 'cinema.example.net');
    const operatorSite = new HostClient(manager.url, '127.0.0.1');
    for (const path of ['/music', '/rest/ping.view', '/api/music/albums']) {
      assert.equal((await cinema.get(path)).status, 404, path);
      assert.notEqual((await operatorSite.get(path)).status, 404, path);
    }
    // Written in another case, a path is another path: not a way round the switch.
    for (const path of [
      '/Music',
      '/REST/ping.view',
      '/Rest/ping',
      '/API/MUSIC/albums',
      '/Api/music/albums',
    ]) {
      assert.equal((await cinema.get(path)).status, 404, path);
    }
    const comment = await cinema.post('/api/titles/64b7f0c2a1b2c3d4e5f60718/comments', { text: 'hi' });
    assert.deepEqual([comment.status, comment.body.error], [404, 'not_found']);
    assert.equal((await cinema.get('/api/site')).body.features instanceof Object, true);
    const page = await cinema.get('/', { accept: 'text/html' });
    assert.doesNotMatch(page.text, /href="\/music"/);
    await admin.patch(`/api/tenants/${tenant.id}`, { features: { music: true, comments: true } });
  });

  it("sends the download button to the tenant's own domain, and nowhere when downloads are off", async () => {
    const created = await admin.post('/api/tenants', {
      slug: 'dl',
      name: 'Downloads',
      domains: ['dl.example.org'],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const { path } = randomFile(4096);
    const file = await storeFile(manager.app, path, 'clip.bin');
    rmSync(dirname(path), { recursive: true, force: true });
    const viewer = new HostClient(manager.url, 'dl.example.org');
    const redirect = await viewer.get(`/ads/download/${String(file._id)}`);
    assert.equal(redirect.status, 302, redirect.text);
    const target = new URL(String(redirect.headers.location));
    assert.equal(target.host, 'dl.example.org');
    assert.equal(target.searchParams.get('t'), String(created.body.id));
    await admin.patch(`/api/tenants/${String(created.body.id)}`, { features: { download: false } });
    const refused = await viewer.get(`/ads/download/${String(file._id)}`);
    assert.deepEqual([refused.status, refused.body.error], [404, 'not_found']);
    const operatorSite = new HostClient(manager.url, '127.0.0.1');
    assert.equal((await operatorSite.get(`/ads/download/${String(file._id)}`)).status, 302);
  });

  it('serves its colors as /site/brand.css and its name in the pages', async () => {
    const cinema = new HostClient(manager.url, 'cinema.example.net');
    const css = await cinema.get('/site/brand.css');
    assert.equal(css.status, 200);
    assert.match(String(css.headers['content-type']), /^text\/css/);
    assert.match(css.text, /--accent: #e50914;/);
    const page = await cinema.get('/', { accept: 'text/html' });
    assert.match(page.text, /<title>[^<]*· Cinema Club<\/title>/);
    assert.match(page.text, /href="\/site\/brand.css"/);
    const manifest = await cinema.get('/manifest.webmanifest');
    assert.deepEqual([manifest.body.name, manifest.body.start_url], ['Cinema Club', '/?source=pwa']);
    const own = await new HostClient(manager.url, '127.0.0.1').get('/manifest.webmanifest');
    assert.equal(own.body.name, 'StreamVault');
  });

  it('takes a branding value away with null (back to the default), and leaves what is not sent', async () => {
    const created = await admin.post('/api/tenants', {
      slug: 'plain',
      name: 'Plain',
      domains: ['plain.example.org'],
      branding: {
        siteName: 'Plain Films',
        logo: '/assets/x.png',
        footer: 'Hi',
        colors: { primary: '#123456', text: '#eeeeee' },
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = String(created.body.id);
    const cleared = await admin.patch(`/api/tenants/${id}`, {
      branding: { logo: null, footer: null, colors: { primary: null } },
    });
    assert.equal(cleared.status, 200, JSON.stringify(cleared.body));
    assert.deepEqual(cleared.body.branding, { siteName: 'Plain Films', colors: { text: '#eeeeee' } });
    const css = await new HostClient(manager.url, 'plain.example.org').get('/site/brand.css');
    assert.doesNotMatch(css.text, /#123456/);
    const none = await admin.patch(`/api/tenants/${id}`, {
      branding: { siteName: null, colors: { text: null } },
    });
    assert.deepEqual(none.body.branding, {});
    // Still checked like any value: an empty logo is neither a path nor null.
    assert.equal((await admin.patch(`/api/tenants/${id}`, { branding: { logo: '' } })).status, 400);
  });

  it('applies changes made at the same moment one after the other: every feature change kept, no stray domain', async () => {
    const created = await admin.post('/api/tenants', {
      slug: 'racy',
      name: 'Racy',
      domains: ['racy.example.org'],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = String(created.body.id);
    const domains = await Promise.all(
      [1, 2, 3, 4, 5, 6].map((i) =>
        admin.patch(`/api/tenants/${id}`, { domains: ['racy.example.org', `race${i}.example.org`] }),
      ),
    );
    assert.deepEqual(
      domains.map((res) => res.status),
      [200, 200, 200, 200, 200, 200],
    );
    const listed = ((await admin.get(`/api/tenants/${id}`)).body.domains as string[]).filter((d) =>
      d.startsWith('race'),
    );
    assert.equal(listed.length, 1);
    const other = await admin.post('/api/tenants', {
      slug: 'racy-other',
      name: 'Other',
      domains: ['racy-other.example.org'],
    });
    for (const i of [1, 2, 3, 4, 5, 6]) {
      const domain = `race${i}.example.org`;
      if (listed.includes(domain)) continue;
      assert.equal((await site(manager, domain)).body.tenant, null, `${domain} serves nobody`);
      const taken = await admin.patch(`/api/tenants/${String(other.body.id)}`, {
        domains: ['racy-other.example.org', domain],
      });
      assert.equal(taken.status, 200, `${domain} is free: ${JSON.stringify(taken.body)}`);
    }

    const features = ['video', 'music', 'manga', 'comments', 'download'];
    const switched = await Promise.all(
      features.map((feature) => admin.patch(`/api/tenants/${id}`, { features: { [feature]: false } })),
    );
    assert.ok(switched.every((res) => res.status === 200));
    assert.deepEqual((await admin.get(`/api/tenants/${id}`)).body.features, {
      video: false,
      music: false,
      manga: false,
      comments: false,
      download: false,
    });
  });

  it('takes over a domain claim left by a tenant deleted while its domains were changed', async () => {
    const connection = await mongoose.createConnection(db.uri).asPromise();
    try {
      await connection
        .collection<{ _id: string; tenantId: string }>('tenant_keys')
        .insertOne({ _id: 'left-behind.example.org', tenantId: '0123456789abcdef01234567' });
    } finally {
      await connection.close();
    }
    const created = await admin.post('/api/tenants', {
      slug: 'heir',
      name: 'Heir',
      domains: ['left-behind.example.org'],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(
      ((await site(manager, 'left-behind.example.org')).body.tenant as { slug: string }).slug,
      'heir',
    );
  });

  it('deletes a tenant; its domains become unknown again', async () => {
    const [tenant] = (await admin.get('/api/tenants')).body as { id: string }[];
    assert.equal((await admin.delete(`/api/tenants/${tenant.id}`)).status, 204);
    assert.equal((await site(manager, 'cinema.example.net')).body.tenant, null);
    assert.equal((await admin.get(`/api/tenants/${tenant.id}`)).status, 404);
  });
});
