import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AppPasswordAuth } from '../../src/auth/app-passwords/app-password-auth.js';
import { MongoConnection } from '../../src/core/database/mongo-connection.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { TestClient } from '../support/http.js';
import {
  type InProcessApp,
  signInAdmin,
  signInNewUser,
  startInProcessApp,
} from '../support/in-process-app.js';
import { storeFile } from '../support/library-fixtures.js';
import { randomFile } from '../support/media.js';

const bearer = (password: string) => ({ authorization: `Bearer ${password}` });

describe('account: app passwords and sessions', () => {
  let db: TestDatabase;
  let manager: InProcessApp;
  let streamer: InProcessApp;

  before(async () => {
    db = await startTestDatabase();
    manager = await startInProcessApp({ MONGODB_URI: db.uri, ROLE: 'manager' });
    streamer = await startInProcessApp({ MONGODB_URI: db.uri, ROLE: 'streamer' });
  });
  after(async () => {
    await streamer?.close();
    await manager?.close();
    await db?.stop();
  });

  describe('app passwords', () => {
    it('are created for the signed-in account, shown once, and listed without secrets', async () => {
      const reader = await signInNewUser(manager, 'reader', 'viewer');
      const created = await reader.post('/api/auth/app-passwords', { label: 'KOReader' });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.deepEqual(Object.keys(created.body).sort(), [
        'createdAt',
        'id',
        'label',
        'lastUsedAt',
        'password',
      ]);
      assert.match(String(created.body.password), /^svp_[0-9a-f]{24}[A-Za-z0-9_-]{43}$/);
      assert.equal(created.body.label, 'KOReader');
      const listed = await reader.get('/api/auth/app-passwords');
      assert.equal(listed.status, 200);
      assert.deepEqual(
        (listed.body as { id: string; label: string }[]).map((entry) => [entry.id, entry.label]),
        [[created.body.id, 'KOReader']],
      );
      assert.doesNotMatch(JSON.stringify(listed.body), /svp_/);
    });

    it('name their user by themselves and carry viewer rights only, even for an admin', async () => {
      const admin = await signInAdmin(manager);
      const { password } = (await admin.post('/api/auth/app-passwords', { label: 'Subsonic' })).body;
      const identity = await manager.app.get(AppPasswordAuth).verify(String(password));
      assert.deepEqual([identity?.name, identity?.role, identity?.via], ['admin', 'viewer', 'app-password']);
      const asClient = new TestClient(manager.url);
      const me = await asClient.get('/api/auth/me', bearer(String(password)));
      assert.deepEqual([me.status, me.body.name, me.body.role], [200, 'admin', 'viewer']);
      assert.equal((await asClient.get('/api/users', bearer(String(password)))).status, 403);
    });

    it('cannot manage the account (no minting more app passwords with one)', async () => {
      const owner = await signInNewUser(manager, 'minter', 'viewer');
      const { password } = (await owner.post('/api/auth/app-passwords', { label: 'one' })).body;
      const client = new TestClient(manager.url);
      const res = await client.request('POST', '/api/auth/app-passwords', {
        json: { label: 'two' },
        headers: bearer(String(password)),
      });
      assert.equal(res.status, 403);
      assert.equal((await client.get('/api/auth/sessions', bearer(String(password)))).status, 403);
    });

    it('are stored so a database leak does not reveal them, yet Subsonic can have the clear value', async () => {
      const owner = await signInNewUser(manager, 'leaky', 'viewer');
      const created = (await owner.post('/api/auth/app-passwords', { label: 'leak test' })).body;
      const password = String(created.password);
      const userId = password.slice(4, 28);
      const raw = await manager.app
        .get(MongoConnection)
        .connection.collection('app_passwords')
        .findOne({ _id: userId as never });
      const stored = JSON.stringify(raw);
      assert.ok(raw, 'one document per user, keyed by the user id');
      assert.ok(!stored.includes(password.slice(28)), 'the secret part is not stored in clear');
      assert.ok(!stored.includes(createHash('sha256').update(password).digest('hex')), 'not an unkeyed hash');
      assert.ok(!stored.includes(createHash('sha256').update(password).digest('base64url')));
      const clear = await manager.app.get(AppPasswordAuth).clearValues({ username: 'leaky' });
      assert.deepEqual(clear, [{ id: created.id, password }]);
      assert.deepEqual(await manager.app.get(AppPasswordAuth).clearValues({ id: userId }), clear);
    });

    it('revocation is immediate on every role (manager API and a streamer)', async () => {
      const owner = await signInNewUser(manager, 'revoker', 'viewer');
      const created = (await owner.post('/api/auth/app-passwords', { label: 'TV' })).body;
      const password = String(created.password);
      const source = randomFile(4096);
      const file = await storeFile(streamer.app, source.path, 'clip.bin');
      rmSync(dirname(source.path), { recursive: true, force: true });
      const client = new TestClient(streamer.url);
      assert.equal((await client.get(`/stream/${file._id}/clip.bin`, bearer(password))).status, 200);
      assert.equal((await new TestClient(manager.url).get('/api/auth/me', bearer(password))).status, 200);

      assert.equal((await owner.delete(`/api/auth/app-passwords/${created.id}`)).status, 204);
      assert.equal((await client.get(`/stream/${file._id}/clip.bin`, bearer(password))).status, 403);
      const me = await new TestClient(manager.url).get('/api/auth/me', bearer(password));
      assert.equal(me.status, 401);
      assert.equal(await manager.app.get(AppPasswordAuth).verify(password), undefined);
      assert.deepEqual((await owner.get('/api/auth/app-passwords')).body, []);
    });

    it("one user cannot revoke another's app password", async () => {
      const alice = await signInNewUser(manager, 'alice', 'viewer');
      const bob = await signInNewUser(manager, 'bob', 'viewer');
      const created = (await alice.post('/api/auth/app-passwords', { label: 'mine' })).body;
      assert.equal((await bob.delete(`/api/auth/app-passwords/${created.id}`)).status, 404);
      assert.ok(await manager.app.get(AppPasswordAuth).verify(String(created.password)));
    });

    it('refuse bad input with 4xx {error, message}', async () => {
      const owner = await signInNewUser(manager, 'picky', 'viewer');
      for (const body of [
        {},
        { label: '' },
        { label: '   ' },
        { label: 'x'.repeat(61) },
        { label: 7 },
        { label: 'a', extra: 1 },
      ]) {
        const res = await owner.post('/api/auth/app-passwords', body);
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.deepEqual(Object.keys(res.body).sort(), ['error', 'message']);
      }
      assert.equal((await owner.delete('/api/auth/app-passwords/not-a-uuid')).status, 400);
      assert.equal(
        (await owner.delete('/api/auth/app-passwords/6f1b8f0e-0f57-4d3a-9a68-3a9a4c1e8a10')).status,
        404,
      );
    });

    it('a guest cannot have app passwords; a forged or malformed one identifies nobody', async () => {
      const guest = new TestClient(manager.url);
      await guest.get('/api/titles');
      assert.equal((await guest.post('/api/auth/app-passwords', { label: 'x' })).status, 401);
      const auth = manager.app.get(AppPasswordAuth);
      const forged = `svp_${'0'.repeat(24)}${'A'.repeat(43)}`;
      for (const password of [forged, 'svp_', 'svp_short', `${forged}x`]) {
        assert.equal(await auth.verify(password), undefined, password);
        assert.equal((await new TestClient(manager.url).get('/api/auth/me', bearer(password))).status, 401);
      }
    });
  });

  describe('sessions', () => {
    it('lists where the account is signed in, marking the current session', async () => {
      const laptop = await signInNewUser(manager, 'traveller', 'viewer');
      const phone = new TestClient(manager.url);
      await phone.request('POST', '/api/auth/login', {
        json: { username: 'traveller', password: 'traveller-password' },
        headers: { 'user-agent': 'PhoneBrowser/1.0' },
      });
      const listed = await laptop.get('/api/auth/sessions');
      assert.equal(listed.status, 200);
      const sessions = listed.body as {
        id: string;
        current: boolean;
        userAgent: string | null;
        method: string;
      }[];
      assert.equal(sessions.length, 2);
      assert.equal(sessions.filter((session) => session.current).length, 1);
      assert.ok(sessions.some((session) => session.userAgent === 'PhoneBrowser/1.0' && !session.current));
      assert.ok(sessions.every((session) => session.method === 'password'));
    });

    it('revoking another session signs that browser out at once', async () => {
      const laptop = await signInNewUser(manager, 'careful', 'viewer');
      const phone = new TestClient(manager.url);
      await phone.login('careful', 'careful-password');
      const sessions = (await laptop.get('/api/auth/sessions')).body as { id: string; current: boolean }[];
      const other = sessions.find((session) => !session.current)!;
      assert.equal((await laptop.delete(`/api/auth/sessions/${other.id}`)).status, 204);
      assert.equal((await phone.get('/api/auth/me')).status, 401);
      assert.equal((await laptop.get('/api/auth/me')).status, 200);
      assert.equal(((await laptop.get('/api/auth/sessions')).body as unknown[]).length, 1);
    });

    it("revoking the current session signs out here; another user's session is not found", async () => {
      const mine = await signInNewUser(manager, 'leaver', 'viewer');
      const theirs = await signInNewUser(manager, 'stayer', 'viewer');
      const theirId = ((await theirs.get('/api/auth/sessions')).body as { id: string }[])[0].id;
      assert.equal((await mine.delete(`/api/auth/sessions/${theirId}`)).status, 404);
      assert.equal((await theirs.get('/api/auth/me')).status, 200);
      const myId = ((await mine.get('/api/auth/sessions')).body as { id: string }[])[0].id;
      assert.equal((await mine.delete(`/api/auth/sessions/${myId}`)).status, 204);
      assert.equal(mine.cookie('sv_session'), undefined, 'the cookie is cleared');
      assert.equal((await mine.get('/api/auth/sessions')).status, 401);
    });

    it('a guest has no sessions to list → 401', async () => {
      const guest = new TestClient(manager.url);
      await guest.get('/api/titles');
      assert.equal((await guest.get('/api/auth/sessions')).status, 401);
    });
  });
});
