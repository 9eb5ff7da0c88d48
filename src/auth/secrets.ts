import { createHash, createHmac, randomBytes } from 'node:crypto';

/** A high-entropy, URL-safe token, optionally prefixed so its kind is recognisable (`svt_...`). */
export function randomToken(prefix = ''): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

/** Stored form of a token: its SHA-256. Enough for 256-bit random tokens (no salt or stretching needed). */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A key for one purpose derived from SECRET_KEY, so no two features share key material. */
export function deriveKey(secretKey: string, purpose: string): Buffer {
  return createHmac('sha256', secretKey).update(`streamvault:${purpose}`).digest();
}
