import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs, { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { signSatelliteDocument, type SatellitePayload } from '../../src/site/satellite/satellite-document.js';
import {
  keyFromSeed,
  loadOrCreateSatelliteKey,
  type SatelliteKey,
} from '../../src/site/satellite/satellite-key.js';
import { loadSatelliteClient, type SatelliteClient } from '../support/satellite-client.js';

const key = keyFromSeed(randomBytes(32).toString('base64url'));
const publicKey = key.publicKeyRaw.toString('base64url');
const NOW = Date.UTC(2026, 11, 3);
const payload = (extra: Partial<SatellitePayload> = {}): SatellitePayload => ({
  version: 3,
  issuedAt: new Date(NOW - 1000).toISOString(),
  expiresAt: new Date(NOW + 86400_000).toISOString(),
  origins: ['https://a.example', 'https://b.example'],
  ...extra,
});

describe('satellite document: signed on the server, verified by the PWA module', () => {
  let client: SatelliteClient;
  before(async () => {
    client = await loadSatelliteClient();
  });

  it('the public key is the raw 32-byte Ed25519 key', () => {
    assert.equal(key.publicKeyRaw.length, 32);
  });

  it('without SATELLITE_PRIVATE_KEY a key is generated once into DATA_DIR (owner-only) and kept', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sv-satellite-'));
    try {
      const generated = loadOrCreateSatelliteKey(undefined, dataDir);
      assert.equal(statSync(join(dataDir, 'satellite.key')).mode & 0o777, 0o600);
      assert.deepEqual(loadOrCreateSatelliteKey(undefined, dataDir).publicKeyRaw, generated.publicKeyRaw);
      const seed = randomBytes(32).toString('base64url');
      assert.deepEqual(loadOrCreateSatelliteKey(seed, dataDir).publicKeyRaw, keyFromSeed(seed).publicKeyRaw);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('two managers creating the key at once: the other never reads it half written, and both use one key', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sv-satellite-'));
    const write = fs.writeFileSync;
    let other: SatelliteKey | Error | undefined;
    let raced = false;
    // A write is not atomic: between the file's creation and its contents, the other manager runs.
    fs.writeFileSync = ((path: string, data: string, options: { mode?: number; flag?: string }) => {
      if (!raced) {
        raced = true;
        write(path, '', options);
        try {
          other = loadOrCreateSatelliteKey(undefined, dataDir);
        } catch (error) {
          other = error as Error;
        }
        return write(path, data, { ...options, flag: 'w' });
      }
      return write(path, data, options);
    }) as typeof fs.writeFileSync;
    syncBuiltinESMExports();
    try {
      const first = loadOrCreateSatelliteKey(undefined, dataDir);
      assert.ok(
        !(other instanceof Error),
        `the other manager failed: ${(other as Error | undefined)?.message}`,
      );
      assert.deepEqual(other?.publicKeyRaw, first.publicKeyRaw, 'one key for both');
      assert.deepEqual(loadOrCreateSatelliteKey(undefined, dataDir).publicKeyRaw, first.publicKeyRaw);
      assert.equal(statSync(join(dataDir, 'satellite.key')).mode & 0o777, 0o600);
      assert.deepEqual(readdirSync(dataDir), ['satellite.key'], 'nothing left aside');
    } finally {
      fs.writeFileSync = write;
      syncBuiltinESMExports();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('accepts a document signed with the install key', async () => {
    const verdict = await client.verifySatelliteDocument(signSatelliteDocument(payload(), key), publicKey, {
      now: NOW,
    });
    assert.ok(verdict.ok);
    assert.deepEqual(verdict.payload.origins, ['https://a.example', 'https://b.example']);
  });

  it('refuses a changed payload, a changed signature and another key', async () => {
    const doc = signSatelliteDocument(payload(), key);
    const forged = Buffer.from(JSON.stringify(payload({ origins: ['https://evil.example'] }))).toString(
      'base64url',
    );
    const bytes = Buffer.from(doc.signature, 'base64url');
    bytes[5] ^= 0x01;
    const otherKey = keyFromSeed(randomBytes(32).toString('base64url'));
    for (const tampered of [
      { ...doc, payload: forged },
      { ...doc, signature: bytes.toString('base64url') },
      signSatelliteDocument(payload(), otherKey),
    ]) {
      const verdict = await client.verifySatelliteDocument(tampered, publicKey, { now: NOW });
      assert.deepEqual(verdict, { ok: false, reason: 'bad-signature' });
    }
  });

  it('refuses an expired document and one older than the version it has', async () => {
    const expired = signSatelliteDocument(payload({ expiresAt: new Date(NOW - 1).toISOString() }), key);
    assert.deepEqual(await client.verifySatelliteDocument(expired, publicKey, { now: NOW }), {
      ok: false,
      reason: 'expired',
    });
    const doc = signSatelliteDocument(payload({ version: 3 }), key);
    assert.deepEqual(await client.verifySatelliteDocument(doc, publicKey, { now: NOW, minVersion: 4 }), {
      ok: false,
      reason: 'older',
    });
    assert.ok((await client.verifySatelliteDocument(doc, publicKey, { now: NOW, minVersion: 3 })).ok);
  });

  it('refuses malformed documents, even validly signed ones with bad origins', async () => {
    const cases: unknown[] = [
      null,
      {},
      { payload: 'a', signature: 7 },
      { payload: '%%%', signature: 'abc' },
      signSatelliteDocument({ ...payload(), origins: ['javascript:alert(1)'] }, key),
      signSatelliteDocument({ ...payload(), origins: ['https://a.example/path'] }, key),
      signSatelliteDocument({ ...payload(), version: 0 }, key),
    ];
    for (const doc of cases) {
      const verdict = await client.verifySatelliteDocument(doc, publicKey, { now: NOW });
      assert.equal(verdict.ok, false, JSON.stringify(doc));
    }
    assert.deepEqual(
      await client.verifySatelliteDocument(signSatelliteDocument(payload(), key), 'not-a-key', { now: NOW }),
      { ok: false, reason: 'malformed' },
    );
  });
});
