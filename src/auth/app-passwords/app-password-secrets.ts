import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { deriveKey } from '../secrets.js';

export const APP_PASSWORD_PREFIX = 'svp_';
const USER_ID = /^[0-9a-f]{24}$/;
/** `svp_` + the owner's id (24 hex) + 32 random bytes (43 base64url characters). */
const FORMAT = /^svp_([0-9a-f]{24})([A-Za-z0-9_-]{43})$/;

/** AES-256-GCM output, kept beside the hash for protocols that need the clear value. */
export interface SealedValue {
  iv: string;
  tag: string;
  data: string;
}

/**
 * The cryptography of app passwords, keyed from SECRET_KEY (one derived key per purpose): a keyed
 * hash to check a presented password (a leaked database reveals nothing without the key), and an
 * AES-GCM sealed copy for Subsonic's token auth, which needs the clear value.
 */
export class AppPasswordSecrets {
  private readonly hashKey: Buffer;
  private readonly sealKey: Buffer;

  constructor(secretKey: string) {
    this.hashKey = deriveKey(secretKey, 'app-password:hash');
    this.sealKey = deriveKey(secretKey, 'app-password:seal');
  }

  /** A new password for `userId`; the id inside lets a password name its owner by itself. */
  generate(userId: string): string {
    if (!USER_ID.test(userId)) throw new Error(`not a user id: ${userId}`);
    return `${APP_PASSWORD_PREFIX}${userId}${randomBytes(32).toString('base64url')}`;
  }

  /** The owner named inside a well-formed password, else undefined. */
  ownerOf(password: string): string | undefined {
    return FORMAT.exec(password)?.[1];
  }

  hash(password: string): string {
    return createHmac('sha256', this.hashKey).update(password).digest('base64url');
  }

  matches(password: string, hash: string): boolean {
    const presented = Buffer.from(this.hash(password));
    const stored = Buffer.from(hash);
    return presented.length === stored.length && timingSafeEqual(presented, stored);
  }

  /** `context` (the entry's id) is authenticated too: a sealed value moved to another entry fails. */
  seal(password: string, context: string): SealedValue {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.sealKey, iv);
    cipher.setAAD(Buffer.from(context));
    const data = Buffer.concat([cipher.update(password, 'utf8'), cipher.final()]);
    return {
      iv: iv.toString('base64url'),
      tag: cipher.getAuthTag().toString('base64url'),
      data: data.toString('base64url'),
    };
  }

  /** Throws when the value was tampered with, moved, or sealed under another SECRET_KEY. */
  open(sealed: SealedValue, context: string): string {
    const decipher = createDecipheriv('aes-256-gcm', this.sealKey, Buffer.from(sealed.iv, 'base64url'));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  }
}
