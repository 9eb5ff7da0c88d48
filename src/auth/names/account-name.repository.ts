import { Injectable } from '@nestjs/common';
import { type Model, type Types } from 'mongoose';
import { isDuplicateKeyError, MongoConnection } from '../../core/database/mongo-connection.js';
import { type AccountName, accountNameId, accountNameSchema } from './account-name.schema.js';

/** The `account_names` collection: which account holds a username on a site. */
@Injectable()
export class AccountNameRepository {
  private readonly model: Model<AccountName>;

  constructor(mongo: MongoConnection) {
    this.model = mongo.connection.model<AccountName>('AccountName', accountNameSchema);
  }

  find(tenantId: string, username: string): Promise<AccountName | null> {
    return this.model.findById(accountNameId(tenantId, username)).lean<AccountName>().exec();
  }

  /** Claims the name for `userId`; false when the site already has it (whoever holds it). */
  async claim(tenantId: string, username: string, userId: Types.ObjectId): Promise<boolean> {
    try {
      await this.model.create({
        _id: accountNameId(tenantId, username),
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
