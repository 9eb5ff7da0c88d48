import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { SESSION_COOKIE } from '../../src/auth/auth-cookie.js';
import { UserService } from '../../src/auth/user.service.js';
import { LibraryService } from '../../src/library/library.service.js';
import { TenantContext } from '../../src/core/tenancy/tenant-context.js';
import { TenantDirectory } from '../../src/core/tenancy/tenant-directory.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { HostClient, type HostResponse } from '../support/host-client.js';
import { type TestClient } from '../support/http.js';
import { type InProcessApp, signInAdmin, startInProcessApp } from '../support/in-process-app.js';
import { createMediaFile, storeFile } from '../support/library-fixtures.js';
import { randomFile } from '../support/media.js';

const A = 'site-a.example.com';
const B = 'site-b.example.com';
const ID = '64b7f0c2a1b2c3d4e5f60718';

/** `METHOD /path` of every route the app serves, read from Express's router. */
function mountedRoutes(app: NestExpressApplication): { method: string; path: string }[] {
  const router = (app.getHttpAdapter().getInstance() as { router: { stack: unknown[] } }).router;
  return router.stack.flatMap((layer) => {
    const route = (layer as { route?: { path: string; methods: Record<string, boolean> } }).route;
    if (!route) return [];
    return Object.keys(route.methods).map((method) => ({ method: method.toUpperCase(), path: route.path }));
  });
}

/** A concrete request path for a route pattern: ids for parameters, a word for wildcards. */
function concrete(pattern: string): string {
  return pattern
    .replace(/\{\*[A-Za-z_]+\}|\*[A-Za-z_]+/g, 'x')
    .replace(/:[A-Za-z_]+/g, ID)
    .replace(/[{}]/g, '');
}

describe('franchise: isolation between tenants', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let operator: TestClient;
  let aliceOnA: HostClient;
  let appPassword: string;
  let guestOnA: HostClient;

  before(async () => {
    db = await startTestDatabase();
    server = await startInProcessApp({ MONGODB_URI: db.uri, ROLE: 'manager,streamer' });
    operator = await signInAdmin(server);
    const ids: string[] = [];
    for (const [slug, domain] of [
      ['site-a', A],
      ['site-b', B],
    ]) {
      const res = await operator.post('/api/tenants', { slug, name: slug, domains: [domain] });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      ids.push(String(res.body.id));
    }
    const tenantA = (await server.app.get(TenantDirectory).byId(ids[0]))!;
    await TenantContext.run(tenantA, () =>
      server.app.get(UserService).create({ username: 'alice', password: 'alice-password', role: 'viewer' }),
    );
    aliceOnA = new HostClient(server.url, A);
    await aliceOnA.login('alice', 'alice-password');
    const created = await aliceOnA.post('/api/auth/app-passwords', { label: 'reader' });
    assert.equal(created.status, 201, created.text);
    appPassword = String(created.body.password);
    guestOnA = new HostClient(server.url, A);
    await guestOnA.get('/');
    assert.ok(guestOnA.cookie(SESSION_COOKIE));
  });
  after(async () => {
    await server?.close();
    await db?.stop();
  });

  it('accounts belong to their site: alice signs in on A only', async () => {
    assert.equal((await aliceOnA.get('/api/auth/me')).body.name, 'alice');
    const onB = new HostClient(server.url, B);
    const login = await onB.post('/api/auth/login', { username: 'alice', password: 'alice-password' });
    assert.deepEqual([login.status, login.body.error], [401, 'unauthorized']);
    const onDefault = new HostClient(server.url, '127.0.0.1');
    assert.equal(
      (await onDefault.post('/api/auth/login', { username: 'alice', password: 'alice-password' })).status,
      401,
    );
    // And the operator's account does not exist on a tenant's host.
    const adminOnA = await new HostClient(server.url, A).post('/api/auth/login', {
      username: 'admin',
      password: 'admin-password-for-tests',
    });
    assert.equal(adminOnA.status, 401);
  });

  it("A's session cookie, guest cookie and app password are refused on B", async () => {
    const withCookie = new HostClient(server.url, B);
    withCookie.setCookie(SESSION_COOKIE, aliceOnA.cookie(SESSION_COOKIE)!);
    const me = await withCookie.get('/api/auth/me');
    assert.equal(me.status, 401);
    const bearer = await new HostClient(server.url, B).get('/api/auth/me', {
      authorization: `Bearer ${appPassword}`,
    });
    assert.equal(bearer.status, 401);
    assert.equal(
      (await new HostClient(server.url, A).get('/api/auth/me', { authorization: `Bearer ${appPassword}` }))
        .status,
      200,
    );
    // A's guest is a stranger on B: B hands out its own guest identity.
    const guest = new HostClient(server.url, B);
    guest.setCookie(SESSION_COOKIE, guestOnA.cookie(SESSION_COOKIE)!);
    await guest.get('/');
    assert.notEqual(guest.cookie(SESSION_COOKIE), guestOnA.cookie(SESSION_COOKIE));
  });

  it("a signed link of A plays on A only (not on B, not on the operator's site)", async () => {
    const { path } = randomFile(64 * 1024);
    const file = await storeFile(server.app, path, 'clip.bin');
    rmSync(dirname(path), { recursive: true, force: true });
    const signed = await guestOnA.post('/sign', { fileId: String(file._id) });
    assert.equal(signed.status, 200, signed.text);
    const url = new URL(String(signed.body.url));
    assert.equal(url.host, A, 'the link points at the tenant’s own domain');
    assert.ok(url.searchParams.get('t'));
    const link = `${url.pathname}${url.search}`;
    const onA = await new HostClient(server.url, A).get(link);
    assert.deepEqual([onA.status, onA.bytes.length], [200, 64 * 1024]);
    for (const host of [B, '127.0.0.1']) {
      const elsewhere = await new HostClient(server.url, host).get(link);
      assert.deepEqual([elsewhere.status, elsewhere.body.error], [403, 'forbidden'], host);
    }
    // Naming B in the link breaks its signature; dropping t makes it a default-site link that fails too.
    const tenantB = (await operator.get('/api/tenants')).body as { id: string; slug: string }[];
    const relabelled = new URL(url);
    relabelled.searchParams.set('t', tenantB.find((t) => t.slug === 'site-b')!.id);
    assert.equal(
      (await new HostClient(server.url, B).get(`${relabelled.pathname}${relabelled.search}`)).status,
      403,
    );
    const unlabelled = new URL(url);
    unlabelled.searchParams.delete('t');
    assert.equal(
      (await new HostClient(server.url, '127.0.0.1').get(`${unlabelled.pathname}${unlabelled.search}`))
        .status,
      403,
    );
  });

  it("comments written on A are A's: B and the operator's site have their own threads", async () => {
    const title = await server.app
      .get(LibraryService)
      .upsertSkeleton({ kind: 'series', name: 'Shared Show', year: 2001 });
    const id = String(title._id);
    await server.app
      .get(LibraryService)
      .attachFile(title._id, await createMediaFile(server.app), { season: 1, episodes: [1] });
    const posted = await aliceOnA.post(`/api/titles/${id}/comments`, { body: 'Only for site A' });
    assert.equal(posted.status, 201, posted.text);
    const onEpisode = await aliceOnA.post(`/api/titles/${id}/episodes/1/1/comments`, {
      body: 'Episode talk on A',
    });
    assert.equal(onEpisode.status, 201, onEpisode.text);
    const listed = async (host: string, path: string) =>
      JSON.stringify((await new HostClient(server.url, host).get(path)).body);
    for (const path of [`/api/titles/${id}/comments`, `/api/titles/${id}/episodes/1/1/comments`]) {
      assert.match(await listed(A, path), /on A|for site A/, path);
      assert.doesNotMatch(await listed(B, path), /site A|on A/, path);
      assert.doesNotMatch(await listed('127.0.0.1', path), /site A|on A/, path);
    }
  });

  it("on every route the app serves, A's credentials on B get exactly what no credentials get", async () => {
    const routes = mountedRoutes(server.app as NestExpressApplication);
    assert.ok(routes.length > 50, `only ${routes.length} routes found`);
    const credentials: [string, (client: HostClient) => Record<string, string>][] = [
      [
        'A session cookie',
        (client) => (client.setCookie(SESSION_COOKIE, aliceOnA.cookie(SESSION_COOKIE)!), {}),
      ],
      ['A app password', () => ({ authorization: `Bearer ${appPassword}` })],
      [
        'operator session cookie',
        (client) => (client.setCookie(SESSION_COOKIE, operator.cookie(SESSION_COOKIE)!), {}),
      ],
    ];
    const send = (client: HostClient, method: string, path: string, headers: Record<string, string>) =>
      client
        .request(method, path, {
          headers: { accept: 'application/json', ...headers },
          json: method === 'GET' || method === 'HEAD' ? undefined : {},
          timeoutMs: 5000,
        })
        // A connection the app drops (an upgrade-only route) counts as status -1, for both sides.
        .catch(() => ({ status: -1 }) as HostResponse);
    const leaks: string[] = [];
    for (const { method, path } of routes) {
      const url = concrete(path);
      const anonymous: HostResponse = await send(new HostClient(server.url, B), method, url, {});
      for (const [name, apply] of credentials) {
        const client = new HostClient(server.url, B);
        const res = await send(client, method, url, apply(client));
        const rateLimited = res.status === 429 || anonymous.status === 429;
        const same = rateLimited ? res.status < 200 || res.status >= 300 : res.status === anonymous.status;
        if (!same) leaks.push(`${method} ${path} with ${name}: ${res.status}, anonymous ${anonymous.status}`);
      }
    }
    assert.deepEqual(leaks, []);
  });
});
