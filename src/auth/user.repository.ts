import { setTimeout } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { type Model, Types } from 'mongoose';
import { MongoConnection } from '../core/database/mongo-connection.js';
import { DEFAULT_TENANT_ID, ownerTenantId } from '../core/tenancy/tenant.js';
import { AccountNameRepository } from './names/account-name.repository.js';
import { foldUsername } from './names/account-name.schema.js';
import { type User, userSchema } from './schemas/user.schema.js';

export type NewUser = Pick<User, 'username' | 'role'> &
  Partial<Pick<User, 'passwordHash' | 'telegramId' | 'tenantId'>>;

/** The install-wide unique index on `users.username` from before usernames were per site. */
export const LEGACY_USERNAME_INDEX = 'username_1';

/** A name claim this old whose account does not exist is left over from a crash: it may be taken over. */
const ABANDONED_CLAIM_MS = 60_000;
/** A name just claimed by a create still writing its account: looked at this often, this many times. */
const RACING_CREATE_WAIT_MS = 25;
const RACING_CREATE_CHECKS = 80;
/** How long "the legacy index is (not) there" is believed before it is looked at again. */
const LEGACY_CHECK_MS = 30_000;

/**
 * The `users` collection. A username belongs to one site (`account_names`, `_id` =
 * `<tenant>:<username in lower case>`): creating an account claims its name there first, and finding an account by
 * name is two `_id` reads.
 */
@Injectable()
export class UserRepository {
  private readonly model: Model<User>;
  private legacy?: { present: boolean; at: number };

  constructor(
    mongo: MongoConnection,
    private readonly names: AccountNameRepository,
  ) {
    this.model = mongo.connection.model<User>('User', userSchema);
  }

  findById(id: Types.ObjectId): Promise<User | null> {
    return this.model.findById(id).lean<User>().exec();
  }

  /**
   * The account named `username` on the site `tenantId` (`default` for the operator's), whatever the
   * case it is written in. Where two old accounts differ only in case, the one written exactly so.
   */
  async findByUsername(tenantId: string, username: string): Promise<User | null> {
    const name = await this.names.find(tenantId, username);
    const holder = name && (await this.onSite(tenantId, name.userId));
    if (holder?.username === username) return holder;
    if (username !== foldUsername(username)) {
      const exact = await this.names.findExact(tenantId, username);
      const user = exact && (await this.onSite(tenantId, exact.userId));
      if (user?.username === username) return user;
    }
    if (holder && foldUsername(holder.username) === foldUsername(username)) return holder;
    if (!name && (await this.legacyIndexPresent())) return this.findUnclaimed(tenantId, username);
    return null;
  }

  private async onSite(tenantId: string, id: Types.ObjectId): Promise<User | null> {
    const user = await this.findById(id);
    return user && ownerTenantId(user) === tenantId ? user : null;
  }

  findByTelegramId(telegramId: number): Promise<User | null> {
    return this.model.findOne({ telegramId }).lean<User>().exec();
  }

  async countAdmins(): Promise<number> {
    return this.model.countDocuments({ role: 'admin' }).exec();
  }

  /**
   * Creates the user under a name its site does not have yet (claimed first, so of two racing creates
   * one wins); undefined when the site already has the name.
   */
  async insert(user: NewUser): Promise<User | undefined> {
    const site = ownerTenantId(user);
    const _id = new Types.ObjectId();
    if (!(await this.claimName(site, user.username, _id))) return undefined;
    try {
      return (await this.model.create({ _id, ...user, disabled: false })).toObject<User>();
    } catch (error) {
      await this.names.release(site, user.username, _id);
      throw error;
    }
  }

  list(): Promise<User[]> {
    return this.model.find().sort({ username: 1 }).lean<User[]>().exec();
  }

  /** Removes a franchise tenant's accounts and their names (the tenant is being purged). */
  async deleteForTenant(tenantId: string): Promise<number> {
    const deleted = (await this.model.deleteMany({ tenantId }).exec()).deletedCount;
    await this.names.deleteForTenant(tenantId);
    return deleted;
  }

  /** A site's accounts (its admin's page and the operator's list by site: a filtered scan of `users`). */
  listForTenant(tenantId: string): Promise<User[]> {
    return this.model.find(tenantFilter(tenantId)).sort({ username: 1 }).lean<User[]>().exec();
  }

  /** Every account's name and site (claiming the names of accounts from before names were per site). */
  eachName(): AsyncIterable<Pick<User, '_id' | 'username' | 'tenantId'>> {
    return this.model
      .find({}, { username: 1, tenantId: 1 })
      .lean<Pick<User, '_id' | 'username' | 'tenantId'>>()
      .cursor();
  }

  /** Whether `users` still has the install-wide unique username index. */
  async legacyIndexPresent(): Promise<boolean> {
    if (this.legacy && Date.now() - this.legacy.at < LEGACY_CHECK_MS) return this.legacy.present;
    const indexes = await this.model.collection.indexes().catch(() => []);
    const present = indexes.some((index) => index.name === LEGACY_USERNAME_INDEX);
    this.legacy = { present, at: Date.now() };
    return present;
  }

  async dropLegacyIndex(): Promise<void> {
    try {
      await this.model.collection.dropIndex(LEGACY_USERNAME_INDEX);
    } catch (error) {
      // Another manager dropped it first: fine; anything else is a failure.
      this.legacy = undefined;
      if (await this.legacyIndexPresent()) throw error;
    }
    this.legacy = { present: false, at: Date.now() };
  }

  /**
   * Claims `username` on `site` for `userId`. When another account holds it, false once that account
   * exists (a racing create is given a moment to write it, so "taken" always means an account one can
   * find, as the old unique index guaranteed); a claim a crash left without its account is taken over.
   */
  async claimName(site: string, username: string, userId: Types.ObjectId): Promise<boolean> {
    if (await this.names.claim(site, username, userId)) return true;
    for (let attempt = 0; ; attempt++) {
      const held = await this.names.find(site, username);
      if (!held) return this.names.claim(site, username, userId);
      if (held.userId.equals(userId)) return true;
      if (await this.model.exists({ _id: held.userId }).exec()) return false;
      if (Date.now() - held.claimedAt.getTime() >= ABANDONED_CLAIM_MS) {
        await this.names.release(site, username, held.userId);
        return this.names.claim(site, username, userId);
      }
      if (attempt >= RACING_CREATE_CHECKS) return false;
      await setTimeout(RACING_CREATE_WAIT_MS);
    }
  }

  /** Before the names are claimed (the first boot after the upgrade): the old filtered lookup. */
  private findUnclaimed(tenantId: string, username: string): Promise<User | null> {
    return this.model
      .findOne({ username, ...tenantFilter(tenantId) })
      .lean<User>()
      .exec();
  }
}

/** A site's accounts: those from before tenancy (and the default site's new ones) carry no tenant id. */
function tenantFilter(tenantId: string) {
  return tenantId === DEFAULT_TENANT_ID ? { tenantId: { $in: [null, tenantId] } } : { tenantId };
}
