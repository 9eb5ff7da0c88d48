import { Injectable, Logger } from '@nestjs/common';
import { Types } from 'mongoose';
import { type Identity } from '../../core/identity/identity.js';
import { RedisMutex } from '../../core/redis/redis-mutex.js';
import { UserRepository } from '../user.repository.js';
import { inCurrentTenant } from '../tenant-membership.js';
import { TenantContext } from '../../core/tenancy/tenant-context.js';
import { AppPasswordSecrets } from './app-password-secrets.js';
import { AppPasswordEpochs } from './app-password-epochs.js';
import { AppPasswordRepository } from './app-password.repository.js';
import { type AppPasswordEntry } from './app-password.schema.js';
import { VerifiedAppPasswords } from './verified-app-passwords.js';

/** "Last used" is a hint for the account page; writing it at most this often keeps checks read-only. */
const LAST_USED_EVERY_MS = 3600 * 1000;

export interface AppPasswordIdentity extends Identity {
  appPasswordId: string;
}

/**
 * Checks app passwords for the protocol APIs (OPDS Basic, Subsonic, Stremio). A verified password is
 * remembered for a minute (VerifiedAppPasswords) and each use of the memory checks the account's
 * epoch in Redis, so a revoked password stops working at once on every role. An app password carries
 * its account's viewer rights only, whatever the account's own role.
 */
@Injectable()
export class AppPasswordAuth {
  private readonly logger = new Logger('auth');
  private readonly verified = new VerifiedAppPasswords();
  private readonly epochOf = (userId: string) => this.epochs.current(userId);

  constructor(
    private readonly epochs: AppPasswordEpochs,
    private readonly passwords: AppPasswordRepository,
    private readonly users: UserRepository,
    private readonly secrets: AppPasswordSecrets,
    private readonly mutex: RedisMutex,
  ) {}

  /**
   * The identity of an app password this process verified within the last minute (its account's
   * epoch unchanged), without a database read; undefined when it must be checked in full.
   */
  remembered(password: string): Promise<AppPasswordIdentity | undefined> {
    return this.verified.recall(passwordKey(password), this.epochOf);
  }

  /** Like `remembered`, for what `verifyClear` was given as `presented` for `username`. */
  rememberedClear(username: string, presented: string): Promise<AppPasswordIdentity | undefined> {
    return this.verified.recall(clearKey(username, presented), this.epochOf);
  }

  /** The identity a presented app password stands for, or undefined (unknown, revoked, user disabled). */
  async verify(password: string): Promise<AppPasswordIdentity | undefined> {
    const userId = this.secrets.ownerOf(password);
    if (!userId) return undefined;
    const remembered = await this.remembered(password);
    if (remembered) return remembered;
    const epoch = await this.epochs.current(userId);
    const set = await this.passwords.find(userId);
    const entry = set?.entries.find((candidate) => this.secrets.matches(password, candidate.hash));
    if (!entry) return undefined;
    const user = await this.users.findById(new Types.ObjectId(userId));
    if (!user || user.disabled || !inCurrentTenant(user)) return undefined;
    const identity = this.used(userId, user.username, entry);
    this.verified.remember(passwordKey(password), identity, epoch);
    return identity;
  }

  /**
   * The clear app passwords of a user (by id or username), for Subsonic token auth (`t = md5(password
   * + salt)`), which can only be checked against clear values. Empty for a disabled or unknown user.
   */
  async clearValues(
    user: { id: string } | { username: string },
  ): Promise<{ id: string; password: string }[]> {
    const found =
      'id' in user
        ? Types.ObjectId.isValid(user.id)
          ? await this.users.findById(new Types.ObjectId(user.id))
          : null
        : await this.users.findByUsername(TenantContext.current().id, user.username);
    if (!found || found.disabled || !inCurrentTenant(found)) return [];
    const set = await this.passwords.find(String(found._id));
    return (set?.entries ?? []).flatMap((entry) => {
      try {
        return [{ id: entry.id, password: this.secrets.open(entry.sealed, entry.id) }];
      } catch {
        this.logger.warn(`app password ${entry.id} cannot be opened (SECRET_KEY changed?)`);
        return [];
      }
    });
  }

  /**
   * Subsonic token auth in one pass: the identity of `username` when one of its app passwords
   * satisfies `matches` (which sees clear values, e.g. md5(password + salt) = token), else undefined.
   * `presented` is what the client sent (the token and salt), under which a success is remembered.
   */
  async verifyClear(
    username: string,
    matches: (password: string) => boolean,
    presented: string,
  ): Promise<AppPasswordIdentity | undefined> {
    const remembered = await this.rememberedClear(username, presented);
    if (remembered) return remembered;
    const user = await this.users.findByUsername(TenantContext.current().id, username);
    if (!user || user.disabled || !inCurrentTenant(user)) return undefined;
    const userId = String(user._id);
    const epoch = await this.epochs.current(userId);
    const set = await this.passwords.find(userId);
    const entry = set?.entries.find((candidate) => {
      try {
        return matches(this.secrets.open(candidate.sealed, candidate.id));
      } catch {
        return false;
      }
    });
    if (!entry) return undefined;
    const identity = this.used(userId, user.username, entry);
    this.verified.remember(clearKey(username, presented), identity, epoch);
    return identity;
  }

  /** The identity an app password stands for; its "last used" is written at most hourly. */
  private used(userId: string, username: string, entry: AppPasswordEntry): AppPasswordIdentity {
    if (!entry.lastUsedAt || Date.now() - entry.lastUsedAt.getTime() > LAST_USED_EVERY_MS) {
      void this.touch(userId, entry.id);
    }
    return {
      kind: 'user',
      id: userId,
      name: username,
      role: 'viewer',
      via: 'app-password',
      appPasswordId: entry.id,
    };
  }

  private async touch(userId: string, id: string): Promise<void> {
    try {
      await this.mutex.withLock(`app-passwords:${userId}`, async () => {
        const set = await this.passwords.find(userId);
        const entry = set?.entries.find((candidate) => candidate.id === id);
        if (!set || !entry) return;
        entry.lastUsedAt = new Date();
        await this.passwords.save(set);
      });
    } catch (error) {
      this.logger.warn(`could not record the use of app password ${id}: ${(error as Error).message}`);
    }
  }
}

/** Where a verified app password is remembered: per site, under the password itself. */
function passwordKey(password: string): string {
  return VerifiedAppPasswords.keyOf('password', TenantContext.current().id, password);
}

/** Where a verified token check is remembered: per site, under the username and what was presented. */
function clearKey(username: string, presented: string): string {
  return VerifiedAppPasswords.keyOf('clear', TenantContext.current().id, username.toLowerCase(), presented);
}
