import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppPasswordSecrets } from '../../src/auth/app-passwords/app-password-secrets.js';

const KEY = 'k'.repeat(64);
const USER = '65a1b2c3d4e5f60718293a4b';

describe('app password secrets', () => {
  const secrets = new AppPasswordSecrets(KEY);

  it('generates svp_ passwords that name their owner', () => {
    const password = secrets.generate(USER);
    assert.match(password, /^svp_65a1b2c3d4e5f60718293a4b[A-Za-z0-9_-]{43}$/);
    assert.equal(secrets.ownerOf(password), USER);
    assert.notEqual(secrets.generate(USER), password);
    for (const bad of ['svp_', `svp_${USER}`, `svt_${USER}${'a'.repeat(43)}`, `${password}=`]) {
      assert.equal(secrets.ownerOf(bad), undefined, bad);
    }
  });

  it('hashes with a key derived from SECRET_KEY: another key gives another hash', () => {
    const password = secrets.generate(USER);
    assert.ok(secrets.matches(password, secrets.hash(password)));
    assert.ok(!secrets.matches(`${password.slice(0, -1)}x`, secrets.hash(password)));
    assert.notEqual(new AppPasswordSecrets('z'.repeat(64)).hash(password), secrets.hash(password));
  });

  it('seals and opens the clear value; tampering, another entry or another key fail', () => {
    const password = secrets.generate(USER);
    const sealed = secrets.seal(password, 'entry-1');
    assert.ok(!sealed.data.includes(password.slice(28)));
    assert.equal(secrets.open(sealed, 'entry-1'), password);
    const flipped = Buffer.from(sealed.data, 'base64url');
    flipped[0] ^= 1;
    assert.throws(() => secrets.open({ ...sealed, data: flipped.toString('base64url') }, 'entry-1'));
    assert.throws(() => secrets.open(sealed, 'entry-2'));
    assert.throws(() => new AppPasswordSecrets('z'.repeat(64)).open(sealed, 'entry-1'));
  });
});
