import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import mongoose from 'mongoose';
import { PasswordHasher } from '../../src/auth/password-hasher.js';
import { UserService } from '../../src/auth/user.service.js';
import { AppError } from '../../src/core/errors/app-error.js';
import { TenantContext } from '../../src/core/tenancy/tenant-context.js';
import { TenantDirectory } from '../../src/core/tenancy/tenant-directory.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { HostClient } from '../support/host-client.js';
import { type TestClient } from '../support/http.js';
import { type InProcessApp, signInAdmin, startInProcessApp } from '../support/in-process-app.js';

const A = 'names-a.example.com';
const B = 'names-b.example.com';
const OPERATOR = '127.0.0.1';
const LEGACY_TENANT = '0123456789abcdef01234567';

describe('franchise: usernames are unique per site, not per install', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let operator: TestClient;
  const tenant: Record<string, string> = {};

  before(async () => {
    db = await startTestDatabase();
    // An install from before per-site names: the old install-wide unique index, and accounts without
    // name claims (one of the default site, one of a tenant).
    const legacy = await mongoose.createConnection(db.uri).asPromise();
    const users = legacy.collection('users');
    await users.createIndex({ username: 1 }, { unique: true, name: 'username_1' });
    const now = new Date();
    const passwordHash = await new PasswordHasher().hash('legacy-password');
    await users.insertMany([
      { username: 'veteran', role: 'viewer', passwordHash, disabled: false, createdAt: now, updatedAt: now },
      {
        username: 'tenant-veteran',
        role: 'viewer',
        tenantId: LEGACY_TENANT,
        passwordHash,
        disabled: false,
        createdAt: now,
        updatedAt: now,
      },
    ]);
    await legacy.close();

    server = await startInProcessApp({ MONGODB_URI: db.uri, ROLE: 'manager' });
    operator = await signInAdmin(server);
    for (const [slug, domain] of [
      ['names-a', A],
      ['names-b', B],
    ]) {
      const res = await operator.post('/api/tenants', { slug, name: slug, domains: [domain] });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      tenant[domain] = String(res.body.id);
    }
  });
  after(async () => {
    await server?.close();
    await db?.stop();
  });

  const login = (host: string, username: string, password: string) =>
    new HostClient(server.url, host).post('/api/auth/login', { username, password });

  it('migrates an old install: names claimed per site, the install-wide index dropped, sign-in as before', async () => {
    const connection = await mongoose.createConnection(db.uri).asPromise();
    try {
      await eventually(
        async () => (await connection.collection('users').indexes()).map((index) => index.name),
        (names) => !names.includes('username_1'),
        { what: 'the install-wide username index to be dropped', timeoutMs: 15_000 },
      );
      const claims = await connection
        .collection<{ _id: string }>('account_names')
        .find({ _id: { $in: ['default:veteran', `${LEGACY_TENANT}:tenant-veteran`] } })
        .toArray();
      assert.deepEqual(claims.map((claim) => claim._id).sort(), [
        `${LEGACY_TENANT}:tenant-veteran`,
        'default:veteran',
      ]);
    } finally {
      await connection.close();
    }
    assert.equal((await login(OPERATOR, 'veteran', 'legacy-password')).status, 200);
    assert.equal((await login(A, 'veteran', 'legacy-password')).status, 401);
    // The old account keeps its name on its site; other sites may now have one of their own.
    assert.equal((await operator.post('/api/users', { username: 'veteran', role: 'viewer' })).status, 409);
    const onA = await operator.post(`/api/tenants/${tenant[A]}/admins`, {
      username: 'veteran',
      password: 'a-veteran-password',
    });
    assert.equal(onA.status, 201, JSON.stringify(onA.body));
  });

  it('lets the default site and two tenants each have an "alice", each signing in on its own host only', async () => {
    const created = [
      await operator.post('/api/users', { username: 'alice', password: 'alice-default', role: 'viewer' }),
      await operator.post(`/api/tenants/${tenant[A]}/admins`, { username: 'alice', password: 'alice-on-a' }),
      await operator.post(`/api/tenants/${tenant[B]}/admins`, { username: 'alice', password: 'alice-on-b' }),
    ];
    assert.deepEqual(
      created.map((res) => res.status),
      [201, 201, 201],
      JSON.stringify(created.map((res) => res.body)),
    );
    const ids = created.map((res) => String(res.body.id));
    assert.equal(new Set(ids).size, 3, 'three different accounts');

    const passwords: Record<string, string> = {
      [OPERATOR]: 'alice-default',
      [A]: 'alice-on-a',
      [B]: 'alice-on-b',
    };
    const hosts = [OPERATOR, A, B];
    for (const [index, host] of hosts.entries()) {
      const own = await login(host, 'alice', passwords[host]);
      assert.deepEqual([own.status, (own.body.user as { id?: string })?.id], [200, ids[index]], host);
      // Another site's alice's password is just a wrong password here.
      for (const other of hosts.filter((h) => h !== host)) {
        const wrong = await login(host, 'alice', passwords[other]);
        assert.deepEqual([wrong.status, wrong.body.error], [401, 'unauthorized'], `${other}'s on ${host}`);
      }
    }
  });

  it('refuses the same name twice on one site (409), through every way of creating an account', async () => {
    const again = await operator.post(`/api/tenants/${tenant[A]}/admins`, {
      username: 'alice',
      password: 'another-password',
    });
    assert.deepEqual([again.status, again.body.error], [409, 'conflict']);
    const onDefault = await operator.post('/api/users', { username: 'alice', role: 'viewer' });
    assert.equal(onDefault.status, 409);
    // The service itself, as the tenant admin's panel and the bot call it.
    const tenantB = (await server.app.get(TenantDirectory).byId(tenant[B]))!;
    await assert.rejects(
      TenantContext.run(tenantB, () =>
        server.app.get(UserService).create({ username: 'alice', password: 'x-password', role: 'viewer' }),
      ),
      (error: unknown) => error instanceof AppError && error.getStatus() === 409,
    );
    const tg = await Promise.all([
      server.app.get(UserService).findOrCreateForTelegram(4242, 'uploader'),
      server.app.get(UserService).findOrCreateForTelegram(4242, 'uploader'),
    ]);
    assert.equal(tg[0].id, tg[1].id, 'one account for one Telegram user');
  });

  it('creates exactly one account when the same name is created concurrently', async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        operator.post(`/api/tenants/${tenant[B]}/admins`, { username: 'racer', password: `racer-pass-${i}` }),
      ),
    );
    const statuses = results.map((res) => res.status).sort();
    assert.deepEqual(statuses, [201, ...Array<number>(11).fill(409)]);
    const accounts = await server.app.get(UserService).listForTenant(tenant[B]);
    assert.equal(accounts.filter((account) => account.username === 'racer').length, 1);
    const winner = results.findIndex((res) => res.status === 201);
    assert.equal((await login(B, 'racer', `racer-pass-${winner}`)).status, 200);
  });

  it("shows the operator every site's accounts with their site, and one site's with ?tenant=", async () => {
    type Row = { username: string; site: string; tenantId: string };
    const rows = async (query: string) => {
      const res = await operator.get(`/api/users${query}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return (res.body as unknown as Row[]).map((row) => [row.username, row.site, row.tenantId]);
    };
    const everyone = await rows('');
    assert.deepEqual(everyone.filter(([name]) => name === 'alice').sort(), [
      ['alice', 'default', 'default'],
      ['alice', 'names-a', tenant[A]],
      ['alice', 'names-b', tenant[B]],
    ]);
    // An account whose tenant no longer exists is shown with the tenant id it carries.
    assert.deepEqual(
      everyone.find(([name]) => name === 'tenant-veteran'),
      ['tenant-veteran', LEGACY_TENANT, LEGACY_TENANT],
    );
    assert.deepEqual(await rows('?tenant=names-a'), [
      ['alice', 'names-a', tenant[A]],
      ['veteran', 'names-a', tenant[A]],
    ]);
    assert.deepEqual(
      (await rows('?tenant=default')).map(([name, site]) => `${name}@${site}`),
      ['admin@default', 'alice@default', 'tg-4242@default', 'veteran@default'],
    );
    assert.equal((await operator.get('/api/users?tenant=nowhere')).status, 404);
    assert.equal((await operator.get('/api/users?tenant=Names-A')).status, 400);

    // The panel's list: a Site column, and the same filter.
    const tableRows = async (query: string) => {
      const res = await operator.get(`/admin/users${query}`);
      assert.equal(res.status, 200);
      const html = String(res.body);
      const table = /<table id="users">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
      const cells = [...table.matchAll(/<tr><td class="wrap">([^<]*)<\/td><td>([^<]*)<\/td>/g)];
      return { html, rows: cells.map((cell) => `${cell[1]}@${cell[2]}`) };
    };
    const page = await tableRows('');
    assert.match(page.html, /<th>Username<\/th><th>Site<\/th>/);
    assert.deepEqual(page.rows.filter((row) => row.startsWith('alice@')).sort(), [
      'alice@default',
      'alice@names-a',
      'alice@names-b',
    ]);
    const onB = await tableRows('?tenant=names-b');
    assert.deepEqual(onB.rows, ['alice@names-b', 'racer@names-b']);
    assert.match(onB.html, /<option value="names-b" selected>/);
    assert.deepEqual((await tableRows('?tenant=')).rows.length, page.rows.length, '"All sites"');
    assert.equal((await operator.get('/admin/users?tenant=nowhere')).status, 404);
  });
});

describe('usernames: one name whatever its case', () => {
  const C = 'names-c.example.com';
  let db: TestDatabase;
  let server: InProcessApp;
  let operator: TestClient;

  before(async () => {
    db = await startTestDatabase();
    const legacy = await mongoose.createConnection(db.uri).asPromise();
    const users = legacy.collection('users');
    const now = new Date();
    const passwordHash = await new PasswordHasher().hash('legacy-password');
    // Accounts from when names were compared with their case: claims of the name as written.
    const cased = await users.insertMany(
      ['Casey', 'casey', 'Mixed'].map((username) => ({
        username,
        role: 'viewer',
        passwordHash,
        disabled: false,
        createdAt: now,
        updatedAt: now,
      })),
    );
    await legacy.collection('account_names').insertMany(
      ['Casey', 'casey', 'Mixed'].map((username, index) => ({
        _id: `default:${username}` as unknown as mongoose.mongo.ObjectId,
        tenantId: 'default',
        username,
        userId: cased.insertedIds[index],
        claimedAt: now,
      })),
    );
    await legacy.close();
    server = await startInProcessApp({ MONGODB_URI: db.uri, ROLE: 'manager' });
    operator = await signInAdmin(server);
  });
  after(async () => {
    await server?.close();
    await db?.stop();
  });

  const login = (host: string, username: string, password: string) =>
    new HostClient(server.url, host).post('/api/auth/login', { username, password });

  it('treats names differing only in case as one name: taken (409), and signing in in any case', async () => {
    const dana = await operator.post('/api/users', {
      username: 'Dana',
      password: 'dana-password',
      role: 'viewer',
    });
    assert.equal(dana.status, 201, JSON.stringify(dana.body));
    for (const username of ['dana', 'DANA']) {
      const again = await operator.post('/api/users', {
        username,
        password: 'other-password',
        role: 'viewer',
      });
      assert.deepEqual([again.status, again.body.error], [409, 'conflict'], username);
    }
    const signedIn = await login(OPERATOR, 'dANA', 'dana-password');
    assert.equal(signedIn.status, 200);
    assert.deepEqual(signedIn.body.user, {
      ...(signedIn.body.user as object),
      id: dana.body.id,
      username: 'Dana',
    });
    // Another site still has its own.
    const site = await operator.post('/api/tenants', { slug: 'names-c', name: 'names-c', domains: [C] });
    assert.equal(site.status, 201, JSON.stringify(site.body));
    const onC = await operator.post(`/api/tenants/${String(site.body.id)}/admins`, {
      username: 'dana',
      password: 'dana-on-c',
    });
    assert.equal(onC.status, 201, JSON.stringify(onC.body));
  });

  it('migrates names claimed with their case: each old account signs in as before, and no new one takes a name that differs only in case', async () => {
    await eventually(
      () => operator.post('/api/users', { username: 'MIXED', role: 'viewer' }),
      (res) => res.status === 409,
      { what: 'the folded claim of "Mixed"', timeoutMs: 15_000 },
    );
    assert.equal((await operator.post('/api/users', { username: 'CASEY', role: 'viewer' })).status, 409);
    const signedInAs: string[] = [];
    for (const username of ['Casey', 'casey', 'mixed']) {
      const res = await login(OPERATOR, username, 'legacy-password');
      assert.equal(res.status, 200, username);
      signedInAs.push((res.body.user as { username: string }).username);
    }
    // The two old accounts whose names differ only in case stay two, each found by its exact name.
    assert.deepEqual(signedInAs, ['Casey', 'casey', 'Mixed']);
  });
});
