import { Injectable } from '@nestjs/common';
import { type Model, type Types } from 'mongoose';
import { MongoConnection } from '../core/database/mongo-connection.js';
import { type User, userSchema } from './schemas/user.schema.js';
import { DEFAULT_TENANT_ID } from '../core/tenancy/tenant.js';

export type NewUser = Pick<User, 'username' | 'role'> &
  Partial<Pick<User, 'passwordHash' | 'telegramId' | 'tenantId'>>;

@Injectable()
export class UserRepository {
  private readonly model: Model<User>;

  constructor(mongo: MongoConnection) {
    this.model = mongo.connection.model<User>('User', userSchema);
  }

  findById(id: Types.ObjectId): Promise<User | null> {
    return this.model.findById(id).lean<User>().exec();
  }

  findByUsername(username: string): Promise<User | null> {
    return this.model.findOne({ username }).lean<User>().exec();
  }

  findByTelegramId(telegramId: number): Promise<User | null> {
    return this.model.findOne({ telegramId }).lean<User>().exec();
  }

  async countAdmins(): Promise<number> {
    return this.model.countDocuments({ role: 'admin' }).exec();
  }

  /** Creates the user; the unique username index turns a duplicate into a duplicate-key error. */
  async insert(user: NewUser): Promise<User> {
    await this.model.init();
    return (await this.model.create({ ...user, disabled: false })).toObject<User>();
  }

  list(): Promise<User[]> {
    return this.model.find().sort({ username: 1 }).lean<User[]>().exec();
  }

  /** Removes a franchise tenant's accounts (the tenant is being purged). */
  async deleteForTenant(tenantId: string): Promise<number> {
    return (await this.model.deleteMany({ tenantId }).exec()).deletedCount;
  }

  /** A franchise tenant's accounts (its admin's page only: a filtered scan of `users`). */
  listForTenant(tenantId: string): Promise<User[]> {
    // Accounts from before tenancy (and the default site's new ones) carry no tenant id.
    const filter = tenantId === DEFAULT_TENANT_ID ? { tenantId: { $in: [null, tenantId] } } : { tenantId };
    return this.model.find(filter).sort({ username: 1 }).lean<User[]>().exec();
  }
}
