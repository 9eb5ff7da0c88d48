import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { UserService } from '../../src/auth/user.service.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { TestClient } from '../support/http.js';
import { startInProcessApp, type InProcessApp } from '../support/in-process-app.js';

/** Eleven wrong passwords for `username`, each claiming a different client address. */
async function guessesFromNewAddresses(url: string, username: string): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < 11; i++) {
    const res = await new TestClient(url).post(
      '/api/auth/login',
      { username, password: `guess-${i}` },
      { 'x-forwarded-for': `203.0.113.${i + 1}` },
    );
    statuses.push(res.status);
  }
  return statuses;
}

describe('the client address behind a proxy (X-Forwarded-For)', () => {
  let db: TestDatabase;
  const servers: InProcessApp[] = [];
  const start = async (env: Record<string, string> = {}) => {
    const server = await startInProcessApp({ MONGODB_URI: db.uri, ROLE: 'manager', ...env });
    servers.push(server);
    return server;
  };

  before(async () => {
    db = await startTestDatabase();
  });
  after(async () => {
    for (const server of servers) await server.close();
    await db?.stop();
  });

  it('is believed from nginx on the same host (loopback) when TRUSTED_PROXIES is empty', async () => {
    const server = await start();
    await server.app
      .get(UserService)
      .create({ username: 'target', password: 'target-password', role: 'viewer' });
    // Each guess comes from a different client as far as the limit (10 a minute per address and name) knows.
    assert.deepEqual(await guessesFromNewAddresses(server.url, 'near'), Array(11).fill(401));
  });

  it('is not believed from a connection TRUSTED_PROXIES does not list: a client cannot name itself a new address per guess', async () => {
    const server = await start({ TRUSTED_PROXIES: '10.0.0.0/8' });
    await server.app.get(UserService).create({ username: 'far', password: 'far-password', role: 'viewer' });
    const statuses = await guessesFromNewAddresses(server.url, 'far');
    assert.deepEqual(statuses, [...Array(10).fill(401), 429]);
  });
});
