import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomUUID,
} from 'node:crypto';
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDirectory } from '../../core/data-dir/writable-directory.js';

export const SATELLITE_KEY_FILE = 'satellite.key';
/** DER prefixes around a raw Ed25519 key (RFC 8410): PKCS#8 for the seed, SPKI for the public key. */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX_LENGTH = 12;

export interface SatelliteKey {
  privateKey: KeyObject;
  /** The raw 32-byte public key, as the PWA imports it into WebCrypto. */
  publicKeyRaw: Buffer;
}

/** An Ed25519 key from its 32-byte seed (base64url). */
export function keyFromSeed(seed: string): SatelliteKey {
  const bytes = Buffer.from(seed, 'base64url');
  if (bytes.length !== 32) throw new Error('an Ed25519 seed is 32 bytes');
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, bytes]),
    format: 'der',
    type: 'pkcs8',
  });
  return { privateKey, publicKeyRaw: rawPublicKey(privateKey) };
}

/**
 * SATELLITE_PRIVATE_KEY when set; else the seed kept in DATA_DIR/satellite.key, generated on first
 * use. Losing it means installed PWAs refuse new documents: back it up with the rest of DATA_DIR.
 */
export function loadOrCreateSatelliteKey(configured: string | undefined, dataDir: string): SatelliteKey {
  if (configured) return keyFromSeed(configured);
  const file = join(dataDir, SATELLITE_KEY_FILE);
  try {
    return keyFromSeed(readFileSync(file, 'utf8').trim());
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  createDirectory(dataDir);
  const { privateKey } = generateKeyPairSync('ed25519');
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length);
  // Written aside, then linked into place: link() never replaces a file, so when two managers start at
  // once one key wins and both use it, and the file is never seen half written (a `wx` write was: the
  // other manager read it empty between its creation and its contents, and refused to start).
  const aside = `${file}.${process.pid}.${randomUUID()}.tmp`;
  try {
    writeFileSync(aside, `${seed.toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    linkSync(aside, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(aside, { force: true });
  }
  return keyFromSeed(readFileSync(file, 'utf8').trim());
}

function rawPublicKey(privateKey: KeyObject): Buffer {
  return createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX_LENGTH);
}
