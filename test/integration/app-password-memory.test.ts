import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AppPasswordAuth } from '../../src/auth/app-passwords/app-password-auth.js';
import { AppPasswordService } from '../../src/auth/app-passwords/app-password.service.js';
import { UserService } from '../../src/auth/user.service.js';
import { MongoConnection } from '../../src/core/database/mongo-connection.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { firstAppPasswordUse } from '../support/app-password-use.js';
import { type InProcessApp, startInProcessApp } from '../support/in-process-app.js';

describe('verified app passwords are remembered, and a revoke still ends them at once', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let userId: string;

  /** Removes the stored app passwords behind the app's back: only a remembered check still passes. */
  const dropStoredPasswords = () =>
    server.app
      .get(MongoConnection)
      .connection.collection('app_passwords')
      .deleteMany({ _id: userId as never });

  before(async () => {
    db = await startTestDatabase();
    server = await startInProcessApp({ MONGODB_URI: db.uri, ROLE: 'manager,streamer' });
    userId = (
      await server.app
        .get(UserService)
        .create({ username: 'remy', password: 'remy-password', role: 'viewer' })
    ).id;
  });
  after(async () => {
    await server?.close();
    await db?.stop();
  });

  it('answers a repeated password from memory, and forgets it when the account’s passwords change', async () => {
    const auth = server.app.get(AppPasswordAuth);
    const passwords = server.app.get(AppPasswordService);
    const { password, id } = await passwords.create(userId, 'Player');
    await firstAppPasswordUse(server, userId, async () =>
      assert.equal((await auth.verify(password))?.id, userId),
    );
    assert.equal((await auth.verify(password))?.appPasswordId, id);
    assert.equal((await dropStoredPasswords()).deletedCount, 1);
    assert.equal((await auth.verify(password))?.appPasswordId, id, 'remembered');
    // Any change to the account's passwords (here: a new one) moves its epoch: the memory is dropped.
    await passwords.create(userId, 'Another');
    assert.equal(await auth.verify(password), undefined);
  });

  it('remembers a Subsonic token per token and salt, and a revoke ends it', async () => {
    const auth = server.app.get(AppPasswordAuth);
    const passwords = server.app.get(AppPasswordService);
    const { password, id } = await passwords.create(userId, 'Subsonic');
    let compared = 0; // clear values the full check looked at
    const check = (presented: string) =>
      auth.verifyClear('remy', (clear) => (compared++, clear === password), presented);
    await firstAppPasswordUse(server, userId, async () =>
      assert.equal((await check('t1:s1'))?.appPasswordId, id),
    );
    assert.equal((await check('t1:s1'))?.appPasswordId, id);
    const before = compared;
    assert.equal((await check('t1:s1'))?.appPasswordId, id);
    assert.equal(compared, before, 'answered from memory, without a full check');
    assert.equal(await passwords.revoke(userId, id), true);
    assert.equal(await check('t1:s1'), undefined);
  });
});
