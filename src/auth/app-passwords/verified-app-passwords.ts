import { createHash } from 'node:crypto';
import { type AppPasswordIdentity } from './app-password-auth.js';

/** How long a verified app password is remembered without a full check (the epoch is checked on every use). */
const REMEMBER_MS = 60_000;
const MAX_ENTRIES = 10_000;

interface Remembered {
  identity: AppPasswordIdentity;
  epoch: string;
  expiresAt: number;
}

/**
 * App passwords (or Subsonic tokens) this process has verified recently, by a digest of what was
 * presented and the site: a protocol client (a Subsonic player streaming track after track, an OPDS
 * reader turning pages) sends the same credentials with every request, and a full check costs three
 * database reads and a decryption. An entry counts only while its account's epoch is the one it was
 * verified under (see AppPasswordEpochs), so a revoke takes effect at once. Least recently used
 * entries go first past MAX_ENTRIES.
 */
export class VerifiedAppPasswords {
  private readonly entries = new Map<string, Remembered>();

  static keyOf(...parts: string[]): string {
    return createHash('sha256').update(parts.join('\0')).digest('base64url');
  }

  /** The remembered identity, when `epochOf` still gives the epoch it was verified under. */
  async recall(
    key: string,
    epochOf: (userId: string) => Promise<string | undefined>,
  ): Promise<AppPasswordIdentity | undefined> {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    // The entry stays while its epoch is read: a player's concurrent requests all find it.
    if (entry.expiresAt <= Date.now() || (await epochOf(entry.identity.id)) !== entry.epoch) {
      if (this.entries.get(key) === entry) this.entries.delete(key);
      return undefined;
    }
    // Most recently used last (the first entry goes first past MAX_ENTRIES).
    if (this.entries.get(key) === entry) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry.identity;
  }

  /** Remembers `identity`, verified while its account's epoch was `epoch` (read before the check). */
  remember(key: string, identity: AppPasswordIdentity, epoch: string | undefined): void {
    if (epoch === undefined) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { identity, epoch, expiresAt: Date.now() + REMEMBER_MS });
  }
}
