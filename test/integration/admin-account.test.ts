import assert from 'node:assert/strict';
import bcrypt from 'bcryptjs';
import mongoose from 'mongoose';
import { after, before, describe, it } from 'node:test';
import { adminPasswordWorks } from '../../scripts/lib/admin-account.mjs';
import { startTestDatabase, type TestDatabase } from '../support/database.js';

describe('the admin password quickstart prints', () => {
  let database: TestDatabase;
  before(async () => {
    database = await startTestDatabase();
  });
  after(() => database.stop());

  it('is told only when it is the password of the admin account the database has', async () => {
    assert.equal(
      await adminPasswordWorks(database.uri, 'admin', 'fresh', { waitMs: 300 }),
      false,
      'no admin',
    );
    // An admin from an older run, created before quickstart kept its password in data/admin-password.
    const connection = await mongoose.createConnection(database.uri).asPromise();
    await connection.db!.collection('users').insertOne({
      username: 'admin',
      role: 'admin',
      passwordHash: await bcrypt.hash('from-an-older-run', 4),
    });
    await connection.close();
    assert.equal(await adminPasswordWorks(database.uri, 'admin', 'fresh'), false);
    assert.equal(await adminPasswordWorks(database.uri, 'admin', 'from-an-older-run'), true);
  });
});
