import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { deriveKey } from '../../src/auth/secrets.js';
import { UserService } from '../../src/auth/user.service.js';
import { TEST_SECRET_KEY } from '../support/app-process.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { TestClient } from '../support/http.js';
import { startInProcessApp, type InProcessApp } from '../support/in-process-app.js';

const ADMIN = { username: 'admin', password: 'admin-password-for-tests' };

function b64(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Hand-built JWTs, so each attack is exactly what its test says. */
function jwt(payload: object, key: Buffer | string, header: object = { alg: 'HS256', typ: 'JWT' }): string {
  const unsigned = `${b64(header)}.${b64(payload)}`;
  return `${unsigned}.${createHmac('sha256', key).update(unsigned).digest('base64url')}`;
}

const now = () => Math.floor(Date.now() / 1000);
const guestPayload = (extra: object = {}) => ({
  kind: 'guest',
  sub: 'guest:abc',
  iss: 'streamvault',
  iat: now(),
  exp: now() + 600,
  ...extra,
});

describe('identity and access', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  const client = () => new TestClient(server.url);

  before(async () => {
    db = await startTestDatabase();
    server = await startInProcessApp({ MONGODB_URI: db.uri, ROLE: 'manager' });
    const users = server.app.get(UserService);
    await users.bootstrapAdmin();
    await users.create({ username: 'viewer1', password: 'viewer-password', role: 'viewer' });
    await users.create({ username: 'tg-user', role: 'uploader', telegramId: 424242 });
    await users.create({ username: 'target', password: 'target-password', role: 'viewer' });
    // Its own admin: sign-ins are limited to 10 a minute per name, and the other tests use ADMIN's.
    await users.create({ username: 'input-admin', password: 'input-admin-password', role: 'admin' });
  });
  after(async () => {
    await server?.close();
    await db?.stop();
  });

  describe('guests', () => {
    it('a first visit gets an HttpOnly, SameSite=Lax guest cookie that identifies later requests', async () => {
      const browser = client();
      const first = await browser.get('/api/titles');
      const setCookie = first.headers.get('set-cookie') ?? '';
      assert.match(setCookie, /^sv_session=[^;]+;.*HttpOnly/);
      assert.match(setCookie, /SameSite=Lax/);
      assert.doesNotMatch(setCookie, /Secure/, 'plain http install: no Secure flag');
      const me = await browser.get('/api/auth/me');
      assert.equal(me.status, 200);
      assert.equal(me.body.kind, 'guest');
      assert.match(String(me.body.id), /^guest:[0-9a-f-]{36}$/);
    });

    it('without any earlier visit there is no identity yet', async () => {
      assert.equal((await client().get('/api/auth/me')).status, 401);
    });
  });

  describe('forged and stale tokens are refused', () => {
    const cases: [string, () => string][] = [
      [
        'a tampered payload',
        () => {
          const valid = jwt(guestPayload(), deriveKey(TEST_SECRET_KEY, 'jwt'));
          const [header, , signature] = valid.split('.');
          return `${header}.${b64(guestPayload({ sub: 'guest:evil' }))}.${signature}`;
        },
      ],
      ['alg: none', () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(guestPayload())}.`],
      [
        'an HS512 token (not on the allow-list)',
        () => {
          const unsigned = `${b64({ alg: 'HS512', typ: 'JWT' })}.${b64(guestPayload())}`;
          return `${unsigned}.${createHmac('sha512', deriveKey(TEST_SECRET_KEY, 'jwt')).update(unsigned).digest('base64url')}`;
        },
      ],
      [
        'an expired token',
        () => jwt(guestPayload({ iat: now() - 7200, exp: now() - 3600 }), deriveKey(TEST_SECRET_KEY, 'jwt')),
      ],
      [
        'a token signed with another secret',
        () => jwt(guestPayload(), deriveKey('another-secret-key-0123456789abcdef', 'jwt')),
      ],
      [
        'a token signed with SECRET_KEY itself instead of the derived key',
        () => jwt(guestPayload(), TEST_SECRET_KEY),
      ],
      [
        'a user token naming a session that does not exist',
        () =>
          jwt(
            {
              kind: 'user',
              sub: '6b06f1af3ffdf6164bddafbe',
              sid: 'nope',
              iss: 'streamvault',
              iat: now(),
              exp: now() + 600,
            },
            deriveKey(TEST_SECRET_KEY, 'jwt'),
          ),
      ],
    ];
    for (const [name, forge] of cases) {
      it(`${name} → 401 in a cookie and as a Bearer token`, async () => {
        const token = forge();
        const browser = client();
        browser.setCookie('sv_session', token);
        const viaCookie = await browser.get('/api/auth/me');
        assert.equal(viaCookie.status, 401);
        assert.deepEqual(Object.keys(viaCookie.body).sort(), ['error', 'message']);
        const viaBearer = await client().get('/api/auth/me', { authorization: `Bearer ${token}` });
        assert.equal(viaBearer.status, 401);
      });
    }
  });

  describe('admin accounts', () => {
    it('logs in with the bootstrap admin and reaches admin routes', async () => {
      const admin = client();
      await admin.login(ADMIN.username, ADMIN.password);
      const me = await admin.get('/api/auth/me');
      assert.deepEqual([me.body.kind, me.body.role], ['user', 'admin']);
      assert.equal((await admin.get('/api/users')).status, 200);
    });

    it('refuses a wrong password without saying which part was wrong', async () => {
      const wrong = await client().post('/api/auth/login', { username: 'admin', password: 'nope-nope' });
      const unknown = await client().post('/api/auth/login', { username: 'nobody', password: 'nope-nope' });
      assert.equal(wrong.status, 401);
      assert.deepEqual(wrong.body, unknown.body);
    });

    it('refuses a username that is not text with a 400, also where the sign-in limiter reads it first', async () => {
      for (const username of [{ toString: 1 }, ['admin'], 42]) {
        const res = await client().post('/api/auth/login', { username, password: 'nope-nope' });
        assert.equal(res.status, 400, JSON.stringify(username));
        assert.equal(res.body.error, 'bad_request');
      }
    });

    it('a viewer calling an admin route → 403; a guest → 401', async () => {
      const viewer = client();
      await viewer.login('viewer1', 'viewer-password');
      assert.equal((await viewer.get('/api/users')).status, 403);
      assert.equal((await viewer.patch('/api/titles/6b06f1af3ffdf6164bddafbe', { name: 'x' })).status, 403);
      const guest = client();
      await guest.get('/api/titles');
      assert.equal((await guest.get('/api/users')).status, 401);
    });

    it('logout revokes the session: a copy of the old cookie stops working', async () => {
      const admin = client();
      await admin.login(ADMIN.username, ADMIN.password);
      const stolen = admin.cookie('sv_session')!;
      assert.equal((await admin.post('/api/auth/logout')).status, 200);
      const replay = client();
      replay.setCookie('sv_session', stolen);
      const res = await replay.get('/api/users');
      assert.equal(res.status, 401);
      assert.match(String(res.body.message), /logged out|expired|invalid/);
    });
  });

  describe('API tokens', () => {
    it('work as Bearer tokens, are shown once, and stop working when revoked', async () => {
      const admin = client();
      await admin.login(ADMIN.username, ADMIN.password);
      const created = await admin.post('/api/auth/tokens', { name: 'backup script' });
      assert.equal(created.status, 201);
      const token = String(created.body.token);
      assert.match(token, /^svt_[A-Za-z0-9_-]{43}$/);
      const listed = await admin.get('/api/auth/tokens');
      assert.ok(!JSON.stringify(listed.body).includes(token), 'the token is never listed');

      const script = client();
      assert.equal((await script.get('/api/users', { authorization: `Bearer ${token}` })).status, 200);
      assert.equal((await admin.delete(`/api/auth/tokens/${String(created.body.id)}`)).status, 204);
      const revoked = await script.get('/api/users', { authorization: `Bearer ${token}` });
      assert.equal(revoked.status, 401);
      assert.match(String(revoked.body.message), /API token/);
    });
  });

  describe('account input', () => {
    it('refuses what an account, a token or an app password cannot be, with a 400 or a 409 naming why', async () => {
      const admin = client();
      await admin.login('input-admin', 'input-admin-password');
      const user = (body: Record<string, unknown>) =>
        admin.post('/api/users', { username: 'new-one', password: 'long-enough-1', role: 'viewer', ...body });
      // A tenant's admin is made for a tenant (POST /api/tenants/:id/admins), never on the operator's site.
      const tenantAdmin = await user({ role: 'tenant-admin' });
      assert.equal(tenantAdmin.status, 400);
      assert.match(String(tenantAdmin.body.message), /role must be one of admin, uploader, viewer/);
      assert.equal((await user({ telegramId: 1e300 })).status, 400);
      const twice = await user({ telegramId: 424242 });
      assert.equal(twice.status, 409);
      assert.match(String(twice.body.message), /Telegram user 424242 already has the account "tg-user"/);
      for (const name of ['a\u0000b', '\ud800', '\u200b']) {
        const token = await admin.post('/api/auth/tokens', { name });
        assert.equal(token.status, 400, JSON.stringify(name));
        const password = await admin.post('/api/auth/app-passwords', { label: name });
        assert.equal(password.status, 400, JSON.stringify(name));
      }
      assert.equal((await admin.post('/api/auth/tokens', { name: 'Backup – café 2' })).status, 201);
    });
  });

  describe('a response sets the session cookie at most once', () => {
    /** The raw Set-Cookie lines for sv_session, as a client without a cookie jar receives them. */
    const sessionCookies = (res: Response) =>
      res.headers.getSetCookie().filter((line) => line.startsWith('sv_session='));
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
        redirect: 'manual',
      });

    // Not the admin: the login rate limit (10 a minute per name) is shared with the other suites here.
    const VIEWER = { username: 'viewer1', password: 'viewer-password' };

    it('login from a client without a cookie: only the account session, no guest cookie beside it', async () => {
      const res = await post('/api/auth/login', VIEWER);
      assert.equal(res.status, 200);
      const cookies = sessionCookies(res);
      assert.equal(cookies.length, 1, cookies.join('\n'));
      const me = await fetch(`${server.url}/api/auth/me`, { headers: { cookie: cookies[0].split(';')[0] } });
      assert.equal(((await me.json()) as { kind: string }).kind, 'user');
    });

    it('a second session cookie (planted for a parent domain) neither hides the real one nor replaces it', async () => {
      const login = await post('/api/auth/login', VIEWER);
      const real = sessionCookies(login)[0].split(';')[0];
      for (const cookie of [`sv_session=planted; ${real}`, `${real}; sv_session=planted`]) {
        const me = await fetch(`${server.url}/api/auth/me`, { headers: { cookie } });
        assert.equal(((await me.json()) as { kind: string }).kind, 'user', cookie);
        assert.deepEqual(sessionCookies(me), [], 'no guest cookie over the real one');
      }
      // Nor does a guest's (anyone can get one), sent before or after it.
      const visit = await fetch(`${server.url}/api/site`);
      const guest = sessionCookies(visit)[0].split(';')[0];
      for (const cookie of [`${guest}; ${real}`, `${real}; ${guest}`]) {
        const me = await fetch(`${server.url}/api/auth/me`, { headers: { cookie } });
        assert.equal(((await me.json()) as { kind: string }).kind, 'user', cookie);
      }
      // Two that are both bad: still no guest cookie (it would shadow neither), and the request is a stranger's.
      const bad = await fetch(`${server.url}/api/auth/me`, {
        headers: { cookie: 'sv_session=a; sv_session=b' },
      });
      assert.equal(bad.status, 401);
      assert.deepEqual(sessionCookies(bad), []);
    });

    it('magic-link landing without a cookie: one cookie, the signed-in one', async () => {
      const admin = client();
      await admin.login(ADMIN.username, ADMIN.password);
      const created = await admin.post('/api/auth/magic-link', { username: 'target' });
      const landing = await fetch(new URL(String(created.body.url)).pathname.replace(/^/, server.url), {
        redirect: 'manual',
      });
      assert.equal(landing.status, 303);
      const cookies = sessionCookies(landing);
      assert.equal(cookies.length, 1, cookies.join('\n'));
      const me = await fetch(`${server.url}/api/auth/me`, { headers: { cookie: cookies[0].split(';')[0] } });
      assert.equal(((await me.json()) as { name: string }).name, 'target');
    });

    it('logout: one cookie, the expired one', async () => {
      const login = sessionCookies(await post('/api/auth/login', VIEWER))[0].split(';')[0];
      const res = await post('/api/auth/logout', {}, { cookie: login });
      assert.equal(res.status, 200);
      const cookies = sessionCookies(res);
      assert.equal(cookies.length, 1, cookies.join('\n'));
      assert.match(cookies[0], /^sv_session=;.*Expires=Thu, 01 Jan 1970/);
    });
  });

  describe('magic links', () => {
    it('sign in once, by username or Telegram id, and never again', async () => {
      const admin = client();
      await admin.login(ADMIN.username, ADMIN.password);
      for (const target of [{ username: 'viewer1' }, { telegramId: 424242 }]) {
        const created = await admin.post('/api/auth/magic-link', target);
        assert.equal(created.status, 201, JSON.stringify(created.body));
        const url = new URL(String(created.body.url));
        assert.equal(url.origin, server.config.http.publicUrl);

        // A link checker's HEAD neither signs in nor spends the link.
        const checked = await fetch(`${server.url}${url.pathname}`, { method: 'HEAD', redirect: 'manual' });
        assert.equal(checked.status, 200);
        const given = checked.headers.get('set-cookie')?.split(';')[0];
        if (given) {
          const as = await fetch(`${server.url}/api/auth/me`, { headers: { cookie: given } });
          assert.equal(((await as.json()) as { kind: string }).kind, 'guest', 'at most a guest cookie');
        }

        const browser = client();
        const landing = await browser.get(url.pathname);
        assert.equal(landing.status, 303);
        assert.equal(landing.headers.get('location'), '/');
        const me = await browser.get('/api/auth/me');
        assert.equal(me.body.kind, 'user');

        const reuse = await client().get(url.pathname);
        assert.equal(reuse.status, 401);
      }
    });

    it('lands an admin on the admin panel', async () => {
      const admin = client();
      await admin.login(ADMIN.username, ADMIN.password);
      const created = await admin.post('/api/auth/magic-link', { username: ADMIN.username });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const browser = client();
      const landing = await browser.get(new URL(String(created.body.url)).pathname);
      assert.equal(landing.status, 303);
      assert.equal(landing.headers.get('location'), '/admin');
      assert.equal((await browser.get('/admin')).status, 200, 'signed in: the panel opens');
    });

    it('an expired link is refused; one for an account disabled since is refused and not spent', async () => {
      const admin = client();
      await admin.login(ADMIN.username, ADMIN.password);
      const { MongoConnection } = await import('../../src/core/database/mongo-connection.js');
      const link = async () =>
        new URL(String((await admin.post('/api/auth/magic-link', { username: 'viewer1' })).body.url))
          .pathname;

      const forDisabled = await link();
      const users = server.app.get(MongoConnection).connection.collection('users');
      await users.updateOne({ username: 'viewer1' }, { $set: { disabled: true } });
      try {
        assert.equal((await client().get(forDisabled)).status, 401);
      } finally {
        await users.updateOne({ username: 'viewer1' }, { $set: { disabled: false } });
      }
      assert.equal((await client().get(forDisabled)).status, 303, 'the refused link was not spent');

      const path = await link();
      await server.app
        .get(MongoConnection)
        .connection.collection('magic_links')
        .updateMany({}, { $set: { expiresAt: new Date(Date.now() - 1000) } });
      assert.equal((await client().get(path)).status, 401);
    });

    it('only admins create links; exactly one target is required', async () => {
      const viewer = client();
      await viewer.login('viewer1', 'viewer-password');
      assert.equal((await viewer.post('/api/auth/magic-link', { username: 'admin' })).status, 403);
      const admin = client();
      await admin.login(ADMIN.username, ADMIN.password);
      assert.equal((await admin.post('/api/auth/magic-link', {})).status, 400);
      assert.equal((await admin.post('/api/auth/magic-link', { username: 'a', telegramId: 1 })).status, 400);
      assert.equal((await admin.post('/api/auth/magic-link', { username: 'ghost' })).status, 404);
    });
  });

  describe('housekeeping', () => {
    it('sweeps expired magic links and long-ended sessions, keeping live ones', async () => {
      const { ExpiredCredentialsSweeper } = await import('../../src/auth/expired-credentials.sweeper.js');
      const admin = client();
      await admin.login(ADMIN.username, ADMIN.password);
      await admin.post('/api/auth/magic-link', { username: 'viewer1' });
      const inAMonth = new Date(Date.now() + 30 * 24 * 3600 * 1000);
      const removed = await server.app.get(ExpiredCredentialsSweeper).sweep(inAMonth);
      assert.ok(removed.magicLinks >= 1, JSON.stringify(removed));
      assert.ok(removed.sessions >= 1, JSON.stringify(removed));
      const live = await server.app.get(ExpiredCredentialsSweeper).sweep(new Date());
      assert.deepEqual(live, { sessions: 0, magicLinks: 0 });
    });
  });

  describe('rate limits', () => {
    it('answer 429 with Retry-After once the window is full', async () => {
      const attacker = client();
      const statuses: number[] = [];
      let limited;
      for (let i = 0; i < 12; i++) {
        const res = await attacker.post('/api/auth/login', { username: 'target', password: `guess-${i}` });
        statuses.push(res.status);
        if (res.status === 429) limited = res;
      }
      assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401));
      assert.ok(limited, `no 429 in ${statuses.join(',')}`);
      const retryAfter = Number(limited.headers.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
      assert.equal(limited.body.error, 'too_many_requests');
      // Shedding cookies does not help; other accounts signing in from the same address are unaffected.
      assert.equal(
        (await client().post('/api/auth/login', { username: 'target', password: 'target-password' })).status,
        429,
      );
      assert.equal(
        (await client().post('/api/auth/login', { username: 'viewer1', password: 'viewer-password' })).status,
        200,
      );
    });
  });
});
