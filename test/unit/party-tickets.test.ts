import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AppConfig } from '../../src/core/config/app-config.js';
import { PartyTickets } from '../../src/site/party/party-tickets.js';

const tickets = (secretKey: string) => new PartyTickets({ secretKey } as AppConfig);

describe('watch-party join tickets', () => {
  const issuer = tickets('a-secret-key-of-at-least-32-characters!!');
  const ticket = { room: 'r'.repeat(22), member: 'member-1', name: 'Ada', expiresAt: 2_000_000 };

  it('round-trips on any process with the same SECRET_KEY, until it expires', () => {
    const token = issuer.sign(ticket);
    assert.deepEqual(tickets('a-secret-key-of-at-least-32-characters!!').verify(token, 1_000_000), ticket);
    assert.equal(issuer.verify(token, 2_000_000), undefined);
  });

  it('is refused under another key, with any byte changed, or malformed', () => {
    const token = issuer.sign(ticket);
    assert.equal(tickets('another-secret-key-of-32-characters-or-more').verify(token, 0), undefined);
    const [body, mac] = token.split('.');
    const otherRoom = Buffer.from(JSON.stringify({ ...ticket, room: 'x'.repeat(22) })).toString('base64url');
    for (const bad of [
      `${otherRoom}.${mac}`,
      `${body}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`,
      `${body}.${mac}.extra`,
      body,
      '',
      'x'.repeat(5000),
      undefined,
      42,
    ]) {
      assert.equal(issuer.verify(bad, 0), undefined, String(bad).slice(0, 40));
    }
  });
});
