import { Injectable } from '@nestjs/common';
import { type Model, type Types } from 'mongoose';
import { isDuplicateKeyError, MongoConnection } from '../../core/database/mongo-connection.js';
import {
  type AccountName,
  accountNameId,
  accountNameSchema,
  exactAccountNameId,
} from './account-name.schema.js';

/** The `account_names` collection: which account holds a username on a site. */
@Injectable()
export class AccountNameRepository {
  private readonly model: Model<AccountName>;

  constructor(mongo: MongoConnection) {
    this.model = mongo.connection.model<AccountName>('AccountName', accountNameSchema);
  }

  /** Who holds the name on the site, whatever its case. */
  find(tenantId: string, username: string): Promise<AccountName | null> {
    return this.model.findById(accountNameId(tenantId, username)).lean<AccountName>().exec();
  }

  /** A claim of the name exactly as written, from before names were folded (null when none). */
  findExact(tenantId: string, username: string): Promise<AccountName | null> {
    return this.model.findById(exactAccountNameId(tenantId, username)).lean<AccountName>().exec();
  }

  /** Claims the name for `userId`; false when the site already has it, in any case (whoever holds it). */
  claim(tenantId: string, username: string, userId: Types.ObjectId): Promise<boolean> {
    return this.insert(accountNameId(tenantId, username), tenantId, username, userId);
  }

  /**
   * Keeps an account findable by its exact name when another account holds the folded one (two names
   * that differ only in case, both from before names were folded).
   */
  claimExact(tenantId: string, username: string, userId: Types.ObjectId): Promise<boolean> {
    return this.insert(exactAccountNameId(tenantId, username), tenantId, username, userId);
  }

  private async insert(
    _id: string,
    tenantId: string,
    username: string,
    userId: Types.ObjectId,
  ): Promise<boolean> {
    try {
      await this.model.create({
        _id,
        tenantId,
        username,
        userId,
        claimedAt: new Date(),
      });
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  /** Gives the name back, if `userId` still holds it. */
  async release(tenantId: string, username: string, userId: Types.ObjectId): Promise<boolean> {
    const result = await this.model.deleteOne({ _id: accountNameId(tenantId, username), userId }).exec();
    return result.deletedCount === 1;
  }

  async deleteForTenant(tenantId: string): Promise<number> {
    return (await this.model.deleteMany({ tenantId }).exec()).deletedCount;
  }
}
