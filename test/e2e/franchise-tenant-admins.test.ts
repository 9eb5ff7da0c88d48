import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { HostClient } from '../support/host-client.js';
import { type TestClient } from '../support/http.js';
import { type InProcessApp, signInAdmin, startInProcessApp } from '../support/in-process-app.js';

describe('franchise: tenant admins', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let operator: TestClient;
  let own: string;
  let other: string;
  let tenantAdmin: HostClient;

  before(async () => {
    db = await startTestDatabase();
    server = await startInProcessApp({ MONGODB_URI: db.uri, ROLE: 'manager' });
    operator = await signInAdmin(server);
    const ids = [];
    for (const slug of ['own', 'other']) {
      const res = await operator.post('/api/tenants', { slug, name: slug, domains: [`${slug}.example.com`] });
      ids.push(String(res.body.id));
    }
    [own, other] = ids;
    const created = await operator.post(`/api/tenants/${own}/admins`, {
      username: 'owner',
      password: 'owner-password',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual([created.body.role, created.body.tenantId], ['tenant-admin', own]);
    tenantAdmin = new HostClient(server.url, 'own.example.com');
    await tenantAdmin.login('owner', 'owner-password');
  });
  after(async () => {
    await server?.close();
    await db?.stop();
  });

  it('signs in on its own site only', async () => {
    for (const host of ['other.example.com', '127.0.0.1']) {
      const res = await new HostClient(server.url, host).post('/api/auth/login', {
        username: 'owner',
        password: 'owner-password',
      });
      assert.equal(res.status, 401, host);
    }
  });

  it('reads and brands its own tenant, and changes its scope', async () => {
    assert.equal((await tenantAdmin.get(`/api/tenants/${own}`)).status, 200);
    const branded = await tenantAdmin.patch(`/api/tenants/${own}`, {
      branding: { siteName: 'My Own Site' },
      scope: { mode: 'filtered', kinds: ['anime'] },
    });
    assert.equal(branded.status, 200, JSON.stringify(branded.body));
    assert.equal((branded.body.branding as { siteName: string }).siteName, 'My Own Site');
    assert.equal((await tenantAdmin.get('/api/site')).body.siteName, 'My Own Site');
    assert.equal((await tenantAdmin.get(`/api/tenants/${own}/usage`)).status, 200);
  });

  it("cannot touch the operator's part: quotas, status, plan, domains (403)", async () => {
    for (const change of [
      { quotas: { gibPerMonth: 1000 } },
      { status: 'active' },
      { plan: { name: 'free' } },
      { domains: ['own.example.com', 'steal.example.com'] },
      { features: { download: false } },
    ]) {
      const res = await tenantAdmin.patch(`/api/tenants/${own}`, change);
      assert.deepEqual([res.status, res.body.error], [403, 'forbidden'], JSON.stringify(change));
    }
  });

  it('gets 404 for another tenant and 403 for the operator endpoints', async () => {
    assert.equal((await tenantAdmin.get(`/api/tenants/${other}`)).status, 404);
    assert.equal(
      (await tenantAdmin.patch(`/api/tenants/${other}`, { branding: { siteName: 'x' } })).status,
      404,
    );
    assert.equal((await tenantAdmin.get(`/api/tenants/${other}/usage`)).status, 404);
    assert.equal((await tenantAdmin.get('/api/tenants')).status, 403);
    assert.equal(
      (await tenantAdmin.post('/api/tenants', { slug: 'x', name: 'x', domains: ['x.example.com'] })).status,
      403,
    );
    assert.equal((await tenantAdmin.delete(`/api/tenants/${other}`)).status, 403);
    assert.equal((await tenantAdmin.get('/api/tenants/usage.csv')).status, 403);
    assert.equal(
      (await tenantAdmin.post(`/api/tenants/${own}/admins`, { username: 'x2', password: 'password-x' }))
        .status,
      403,
    );
    assert.equal((await tenantAdmin.get('/api/users')).status, 403);
    // The operator's view of the other tenant is unchanged.
    assert.equal(
      ((await operator.get(`/api/tenants/${other}`)).body.branding as { siteName?: string }).siteName,
      undefined,
    );
  });

  it('keeps a tenant with accounts from deletion unless purged', async () => {
    const refused = await operator.delete(`/api/tenants/${own}`);
    assert.deepEqual([refused.status, refused.body.error], [409, 'tenant_has_data']);
    assert.equal((await operator.get(`/api/tenants/${own}`)).status, 200);
    const spare = await operator.post('/api/tenants', {
      slug: 'spare',
      name: 'Spare',
      domains: ['spare.example.com'],
    });
    await operator.post(`/api/tenants/${String(spare.body.id)}/admins`, {
      username: 'spareadmin',
      password: 'spare-password',
    });
    const spareAdmin = new HostClient(server.url, 'spare.example.com');
    await spareAdmin.login('spareadmin', 'spare-password');
    assert.equal((await operator.delete(`/api/tenants/${String(spare.body.id)}?purge=true`)).status, 204);
    assert.equal((await operator.get(`/api/tenants/${String(spare.body.id)}`)).status, 404);
    assert.equal((await spareAdmin.get('/api/auth/me')).status, 401);
  });

  it('refuses a taken username and bad input', async () => {
    const again = await operator.post(`/api/tenants/${own}/admins`, {
      username: 'owner',
      password: 'owner-password',
    });
    assert.equal(again.status, 409);
    assert.equal(
      (await operator.post(`/api/tenants/${own}/admins`, { username: 'x', password: 'short' })).status,
      400,
    );
    assert.equal(
      (
        await operator.post('/api/tenants/0123456789abcdef01234567/admins', {
          username: 'nobody',
          password: 'long-enough',
        })
      ).status,
      404,
    );
  });
});

describe('franchise: the tenant admin panel (/admin/site)', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let tenantId: string;

  before(async () => {
    db = await startTestDatabase();
    server = await startInProcessApp({ MONGODB_URI: db.uri, ROLE: 'manager' });
    const operator = await signInAdmin(server);
    const res = await operator.post('/api/tenants', {
      slug: 'panel',
      name: 'Panel Site',
      domains: ['panel.example.com'],
      quotas: { gibPerMonth: 50 },
    });
    tenantId = String(res.body.id);
    await operator.post(`/api/tenants/${tenantId}/admins`, {
      username: 'paneladmin',
      password: 'panel-password',
    });
  });
  after(async () => {
    await server?.close();
    await db?.stop();
  });

  const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

  it('signs the tenant admin in on its host and lands on its site page', async () => {
    const browser = new HostClient(server.url, 'panel.example.com');
    const form = await browser.get('/admin/login');
    const login = await browser.request('POST', '/admin/login', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      form: { _csrf: csrfOf(form.text), username: 'paneladmin', password: 'panel-password', next: '/admin' },
    });
    assert.deepEqual([login.status, login.headers.location], [303, '/admin/site']);
    const page = await browser.get('/admin/site');
    assert.equal(page.status, 200);
    assert.match(page.text, /<h1>Panel Site<\/h1>/);
    assert.match(page.text, /of 50 GiB/);
    assert.match(page.text, /paneladmin/);
    assert.match(page.text, /href="\/admin\/ads"/);
    // Its panel offers only its site (and ads), never the operator's pages.
    assert.doesNotMatch(page.text, /href="\/admin\/library"/);
    assert.equal((await browser.get('/admin/library')).status, 303);

    const saved = await browser.request('POST', '/admin/site/branding', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      form: { _csrf: csrfOf(page.text), siteName: 'Panel Cinema', primary: '#123456', footer: '' },
    });
    assert.equal(saved.status, 303);
    assert.match(String(saved.headers.location), /flash=Saved/);
    assert.equal((await browser.get('/api/site')).body.siteName, 'Panel Cinema');
    // An emptied field takes the value away: the site's default name again.
    const emptied = await browser.request('POST', '/admin/site/branding', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      form: { _csrf: csrfOf(page.text), siteName: '', primary: '#123456', footer: '' },
    });
    assert.match(String(emptied.headers.location), /flash=Saved/);
    assert.notEqual((await browser.get('/api/site')).body.siteName, 'Panel Cinema');

    const bad = await browser.request('POST', '/admin/site/branding', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      form: { _csrf: csrfOf(page.text), primary: 'red;} body{display:none' },
    });
    assert.match(decodeURIComponent(String(bad.headers.location)), /Not saved: .*color/);

    const scoped = await browser.request('POST', '/admin/site/scope', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      form: {
        _csrf: csrfOf(page.text),
        mode: 'filtered',
        kinds: 'anime',
        genres: 'Drama, comedy',
        collections: '',
      },
    });
    assert.match(String(scoped.headers.location), /flash=Saved/);
    const created = await browser.request('POST', '/admin/site/users', {
      form: { _csrf: csrfOf(page.text), username: 'sitefan', password: 'sitefan-password' },
    });
    assert.match(decodeURIComponent(String(created.headers.location)), /Account sitefan created/);
    await new HostClient(server.url, 'panel.example.com').login('sitefan', 'sitefan-password');
    const elsewhere = await new HostClient(server.url, '127.0.0.1').post('/api/auth/login', {
      username: 'sitefan',
      password: 'sitefan-password',
    });
    assert.equal(elsewhere.status, 401);
    assert.match((await browser.get('/admin/site')).text, /sitefan/);
    const { scope } = await getTenant(server, tenantId);
    assert.deepEqual(scope, {
      mode: 'filtered',
      kinds: ['anime'],
      genres: ['drama', 'comedy'],
      collections: [],
    });
  });

  it('refuses a site form with a field it does not have, or a field sent twice, saving nothing', async () => {
    const browser = new HostClient(server.url, 'panel.example.com');
    await browser.login('paneladmin', 'panel-password');
    const csrf = csrfOf((await browser.get('/admin/site')).text);
    const before = await getTenant(server, tenantId);
    const post = async (path: string, form: [string, string][]) => {
      const res = await browser.request('POST', path, { form: [['_csrf', csrf], ...form] });
      return decodeURIComponent(String(res.headers.location));
    };

    const scope = await post('/admin/site/scope', [
      ['mode', 'filtered'],
      ['kinds[a]', 'movie'],
    ]);
    assert.match(scope, /Not saved: kinds\[a\] is not a field of this form/);
    const branding = await post('/admin/site/branding', [
      ['siteName', 'a'],
      ['siteName', 'b'],
    ]);
    assert.match(branding, /Not saved: siteName must be sent once/);
    assert.deepEqual(await getTenant(server, tenantId), before, 'nothing was saved');
  });
});

async function getTenant(server: InProcessApp, id: string) {
  const operator = await signInAdmin(server);
  return (await operator.get(`/api/tenants/${id}`)).body as unknown as { scope: unknown };
}
