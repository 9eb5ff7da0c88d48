import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { UserService } from '../../src/auth/user.service.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { TestClient } from '../support/http.js';
import { startInProcessApp, type InProcessApp } from '../support/in-process-app.js';

/** Eleven wrong passwords for `username`, the i-th claiming the client address `address(i)`. */
async function guessesFromNewAddresses(
  url: string,
  username: string,
  address = (i: number) => `203.0.113.${i + 1}`,
): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < 11; i++) {
    const res = await new TestClient(url).post(
      '/api/auth/login',
      { username, password: `guess-${i}` },
      { 'x-forwarded-for': address(i) },
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

  it('counts an IPv6 client by its /64: sign-in guesses from new addresses inside it share one limit', async () => {
    const server = await start();
    const inOne64 = (i: number) => `2001:db8:7:7:${(i + 1).toString(16)}::${i + 1}`;
    assert.deepEqual(await guessesFromNewAddresses(server.url, 'six', inOne64), [
      ...Array(10).fill(401),
      429,
    ]);
    const eachIn64OfItsOwn = (i: number) => `2001:db8:8:${(i + 1).toString(16)}::1`;
    assert.deepEqual(
      await guessesFromNewAddresses(server.url, 'six', eachIn64OfItsOwn),
      Array(11).fill(401),
      'other /64s are other clients',
    );
  });

  it('counts a caller without a cookie by its /64 too (20 magic-link redemptions a minute)', async () => {
    const server = await start();
    const redeem = async (address: string) =>
      (await new TestClient(server.url).get('/auth/magic/not-a-token', { 'x-forwarded-for': address }))
        .status;
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push(await redeem(`2001:db8:9:9::${(i + 1).toString(16)}`));
    assert.deepEqual(statuses, [...Array(20).fill(401), 429]);
    assert.equal(await redeem('2001:db8:9:a::1'), 401, 'a neighbouring /64 is another client');
  });
});
