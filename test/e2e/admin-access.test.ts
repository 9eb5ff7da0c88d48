import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { UserService } from '../../src/auth/user.service.js';
import { AuthorizedChatRepository } from '../../src/bot/access/authorized-chat.repository.js';
import { BotAccessService } from '../../src/bot/access/bot-access.service.js';
import { postPanelForm } from '../support/panel-form.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { TestClient } from '../support/http.js';
import { startInProcessApp, type InProcessApp } from '../support/in-process-app.js';

const TITLE = '64b7f0c2a1b2c3d4e5f60718';
const TASK = '00000000-0000-4000-8000-000000000000';
const FILE = '64b7f0c2a1b2c3d4e5f60719';

/** Every panel route except the login page itself, with a concrete path. */
const PANEL_ROUTES: [method: 'GET' | 'POST', path: string, pattern: string][] = [
  ['GET', '/admin', '/admin'],
  ['GET', '/admin/tasks', '/admin/tasks'],
  ['GET', '/admin/tasks/events', '/admin/tasks/events'],
  ['POST', '/admin/tasks', '/admin/tasks'],
  ['POST', `/admin/tasks/${TASK}/cancel`, '/admin/tasks/:taskId/cancel'],
  ['POST', `/admin/tasks/${TASK}/retry`, '/admin/tasks/:taskId/retry'],
  ['GET', '/admin/library', '/admin/library'],
  ['GET', `/admin/library/${TITLE}`, '/admin/library/:id'],
  ['POST', `/admin/library/${TITLE}`, '/admin/library/:id'],
  ['POST', `/admin/library/${TITLE}/enrich`, '/admin/library/:id/enrich'],
  ['POST', `/admin/library/${TITLE}/delete`, '/admin/library/:id/delete'],
  ['POST', `/admin/library/${TITLE}/files/${FILE}/delete`, '/admin/library/:id/files/:fileId/delete'],
  [
    'POST',
    `/admin/library/${TITLE}/seasons/1/episodes/2/delete`,
    '/admin/library/:id/seasons/:season/episodes/:episode/delete',
  ],
  [
    'POST',
    `/admin/library/${TITLE}/chapters/${TITLE}%3Av1%3Ac1/delete`,
    '/admin/library/:id/chapters/:chapterId/delete',
  ],
  [
    'POST',
    `/admin/library/${TITLE}/chapters/${TITLE}%3Av1%3Ac1/comic-info`,
    '/admin/library/:id/chapters/:chapterId/comic-info',
  ],
  [
    'POST',
    `/admin/library/${TITLE}/chapters/${TITLE}%3Av1%3Ac1/cover`,
    '/admin/library/:id/chapters/:chapterId/cover',
  ],
  ['GET', '/admin/logs', '/admin/logs'],
  ['GET', '/admin/logs/events', '/admin/logs/events'],
  ['GET', '/admin/users', '/admin/users'],
  ['POST', '/admin/users', '/admin/users'],
  ['POST', '/admin/users/tokens', '/admin/users/tokens'],
  ['POST', `/admin/users/tokens/${TASK}/revoke`, '/admin/users/tokens/:id/revoke'],
  ['POST', `/admin/users/sessions/${TASK}/revoke`, '/admin/users/sessions/:id/revoke'],
  ['POST', '/admin/users/bot-chats', '/admin/users/bot-chats'],
  ['POST', '/admin/users/bot-chats/-1001234567890/remove', '/admin/users/bot-chats/:chatId/remove'],
  ['GET', '/admin/explorer', '/admin/explorer'],
  ['GET', '/admin/explorer/folders/ab', '/admin/explorer/folders/:name'],
  ['GET', '/admin/explorer/orphans', '/admin/explorer/orphans'],
  ['POST', '/admin/explorer/orphans/delete', '/admin/explorer/orphans/delete'],
  ['GET', '/admin/explorer/dangling', '/admin/explorer/dangling'],
  ['GET', `/admin/explorer/files/${FILE}`, '/admin/explorer/files/:fileId'],
  ['POST', `/admin/explorer/files/${FILE}/rename`, '/admin/explorer/files/:fileId/rename'],
  ['POST', `/admin/explorer/files/${FILE}/screenshots`, '/admin/explorer/files/:fileId/screenshots'],
  ['GET', `/admin/explorer/files/${FILE}/stills`, '/admin/explorer/files/:fileId/stills'],
  ['GET', '/admin/settings', '/admin/settings'],
  ['POST', '/admin/settings', '/admin/settings'],
  ['POST', '/admin/settings/satellite', '/admin/settings/satellite'],
  ['GET', '/admin/settings/satellite/satellite.json', '/admin/settings/satellite/satellite.json'],
  ['POST', '/admin/library/reindex', '/admin/library/reindex'],
  ['GET', '/admin/site', '/admin/site'],
  ['POST', '/admin/site/branding', '/admin/site/branding'],
  ['POST', '/admin/site/scope', '/admin/site/scope'],
  ['POST', '/admin/site/users', '/admin/site/users'],
  ['GET', '/admin/ads', '/admin/ads'],
  ['POST', '/admin/ads', '/admin/ads'],
  ['POST', `/admin/ads/accounts/${FILE}`, '/admin/ads/accounts/:userId'],
];

/** Routes anyone may reach: the sign-in form and sign-out. */
const OPEN_ROUTES = ['GET /admin/login', 'POST /admin/login', 'POST /admin/logout'];

/** `METHOD /path` of every route the app serves under /admin, read from Express's router. */
function mountedAdminRoutes(app: NestExpressApplication): string[] {
  const router = (app.getHttpAdapter().getInstance() as { router: { stack: unknown[] } }).router;
  return router.stack.flatMap((layer) => {
    const route = (layer as { route?: { path: string; methods: Record<string, boolean> } }).route;
    if (!route || !route.path.startsWith('/admin')) return [];
    return Object.keys(route.methods).map((method) => `${method.toUpperCase()} ${route.path}`);
  });
}

describe('admin panel: access and CSRF', () => {
  let db: TestDatabase;
  let server: InProcessApp;

  before(async () => {
    db = await startTestDatabase();
    server = await startInProcessApp({ MONGODB_URI: db.uri, ROLE: 'manager' });
    const users = server.app.get(UserService);
    await users.bootstrapAdmin();
    await users.create({ username: 'vera', password: 'viewer-password', role: 'viewer' });
  });
  after(async () => {
    await server?.close();
    await db?.stop();
  });

  it('enumerates every panel route the app mounts', () => {
    const mounted = mountedAdminRoutes(server.app as NestExpressApplication).sort();
    const listed = [
      ...PANEL_ROUTES.map(([method, , pattern]) => `${method} ${pattern}`),
      ...OPEN_ROUTES,
    ].sort();
    assert.deepEqual(mounted, listed);
  });

  it('sends visitors without a session, and signed-in non-admins, to the login page on every route', async () => {
    const anonymous = new TestClient(server.url);
    const viewer = new TestClient(server.url);
    await viewer.login('vera', 'viewer-password');
    for (const [who, client] of [
      ['no session', anonymous],
      ['viewer', viewer],
    ] as const) {
      for (const [method, path] of PANEL_ROUTES) {
        const res = await client.request(method, path);
        assert.equal(res.status, 303, `${who}: ${method} ${path} → ${res.status}`);
        assert.match(
          String(res.headers.get('location')),
          /^\/admin\/login\?next=/,
          `${who}: ${method} ${path}`,
        );
      }
    }
  });

  it('refuses a viewer at the login form itself', async () => {
    const form = await fetch(`${server.url}/admin/login`);
    const cookie = form.headers.getSetCookie().map((line) => line.split(';')[0]);
    const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1];
    const res = await fetch(`${server.url}/admin/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookie.join('; ') },
      body: new URLSearchParams({ _csrf: String(token), username: 'vera', password: 'viewer-password' }),
    });
    assert.equal(res.status, 403);
    assert.match(await res.text(), /cannot use the admin panel/);
    assert.equal(res.headers.getSetCookie().filter((line) => line.startsWith('sv_session=')).length, 0);
  });

  it('answers a state-changing form post without its CSRF token with 403, and accepts it with the token', async () => {
    const admin = new TestClient(server.url);
    await admin.login('admin', 'admin-password-for-tests');
    const page = await admin.get('/admin/tasks');
    assert.equal(page.status, 200);
    const token = /name="_csrf" value="([^"]+)"/.exec(String(page.body))?.[1];
    assert.ok(token, 'the page carries a CSRF token');

    const post = (fields: Record<string, string>) =>
      fetch(`${server.url}/admin/tasks`, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          cookie: `sv_session=${admin.cookie('sv_session')}; sv_csrf=${admin.cookie('sv_csrf')}`,
        },
        body: new URLSearchParams(fields),
      });
    const without = await post({ url: 'http://127.0.0.1:9/a.mp4' });
    assert.equal(without.status, 403);
    assert.match(await without.text(), /did not come from this site/);
    const forged = await post({
      _csrf: `${'0'.repeat(64)}.${'1'.repeat(64)}`,
      url: 'http://127.0.0.1:9/a.mp4',
    });
    assert.equal(forged.status, 403);
    // With the token the form is processed: this link is refused by the ingest policy (loopback), shown on the page.
    const withToken = await post({ _csrf: token, url: 'http://127.0.0.1:9/a.mp4' });
    assert.notEqual(withToken.status, 403);
    assert.match(await withToken.text(), /class="error"/);
  });

  it('sends the CSP and cookie flags the panel relies on', async () => {
    const res = await fetch(`${server.url}/admin/login`);
    const csp = String(res.headers.get('content-security-policy'));
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /style-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    const cookies = res.headers.getSetCookie();
    for (const name of ['sv_session', 'sv_csrf']) {
      const line = cookies.find((cookie) => cookie.startsWith(`${name}=`));
      assert.ok(line, `${name} is set`);
      assert.match(line, /HttpOnly/i);
      assert.match(line, /SameSite=(Lax|Strict)/i);
    }
    const css = await fetch(`${server.url}/assets/admin.css`);
    assert.equal(css.status, 200);
    assert.match(String(css.headers.get('content-type')), /text\/css/);
  });

  it('lists sessions on the users page and revokes one, which signs that browser out', async () => {
    const admin = new TestClient(server.url);
    await admin.login('admin', 'admin-password-for-tests');
    const other = new TestClient(server.url);
    await other.login('admin', 'admin-password-for-tests');
    assert.equal((await other.get('/api/auth/me')).status, 200);

    const page = await admin.get('/admin/users');
    assert.equal(page.status, 200);
    const html = String(page.body);
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    const revokeActions = [...html.matchAll(/action="(\/admin\/users\/sessions\/[^"]+\/revoke)"/g)].map(
      (m) => m[1],
    );
    const otherSession = (
      JSON.parse(Buffer.from(String(other.cookie('sv_session')).split('.')[1], 'base64url').toString()) as {
        sid: string;
      }
    ).sid;
    const target = `/admin/users/sessions/${otherSession}/revoke`;
    assert.ok(revokeActions.includes(target), 'the other browser session is listed');

    const res = await fetch(`${server.url}${target}`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: `sv_session=${admin.cookie('sv_session')}; sv_csrf=${admin.cookie('sv_csrf')}`,
      },
      body: new URLSearchParams({ _csrf: String(token) }),
    });
    assert.equal(res.status, 303);
    assert.equal((await other.get('/api/auth/me')).status, 401, 'the revoked session is refused');
    assert.equal((await admin.get('/api/auth/me')).status, 200, 'the admin stays signed in');
  });

  it('lets an admin allow a chat for the bot on the users page, and take it back', async () => {
    const admin = new TestClient(server.url);
    await admin.login('admin', 'admin-password-for-tests');
    const access = server.app.get(BotAccessService);
    const member = { id: 424242, name: 'Group Member' };
    const chat = -1009876543210;
    assert.equal(await access.resolve(member, chat, 'group'), undefined, 'not served before');

    const added = await postPanelForm(server.url, admin, '/admin/users', '/admin/users/bot-chats', {
      chatId: String(chat),
      label: '<b>Movie night</b>',
    });
    assert.equal(added.status, 303, added.html);
    assert.ok(await access.resolve(member, chat, 'group'), 'served once allowed');
    const page = String((await admin.get('/admin/users')).body);
    assert.match(page, /&lt;b&gt;Movie night&lt;\/b&gt;/, 'the label is shown escaped');

    const refused = await postPanelForm(server.url, admin, '/admin/users', '/admin/users/bot-chats', {
      chatId: 'not-a-chat',
    });
    assert.equal(refused.status, 400);

    const removed = await postPanelForm(
      server.url,
      admin,
      '/admin/users',
      `/admin/users/bot-chats/${chat}/remove`,
      {},
    );
    assert.equal(removed.status, 303, removed.html);
    assert.equal(await access.resolve(member, chat, 'group'), undefined, 'not served after removal');
  });

  it('refuses a bot chat id that is zero or too long to be stored exactly, and stores nothing', async () => {
    const admin = new TestClient(server.url);
    await admin.login('admin', 'admin-password-for-tests');
    const chats = server.app.get(AuthorizedChatRepository);
    const before = await chats.list();
    // 9999999999999999 is beyond 2^53: stored it would read 10000000000000000.
    for (const chatId of ['9999999999999999', '-0', '0', '007']) {
      const res = await postPanelForm(server.url, admin, '/admin/users', '/admin/users/bot-chats', {
        chatId,
      });
      assert.equal(res.status, 400, `${chatId} → ${res.status}`);
      assert.match(res.html, /chat id must be a Telegram chat id/);
    }
    assert.deepEqual(await chats.list(), before, 'no chat was added');
  });
});
