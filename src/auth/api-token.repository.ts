import { Injectable } from '@nestjs/common';
import { type Model, type Types } from 'mongoose';
import { MongoConnection } from '../core/database/mongo-connection.js';
import { type ApiToken, apiTokenSchema } from './schemas/api-token.schema.js';

@Injectable()
export class ApiTokenRepository {
  private readonly model: Model<ApiToken>;

  constructor(mongo: MongoConnection) {
    this.model = mongo.connection.model<ApiToken>('ApiToken', apiTokenSchema);
  }

  async insert(token: ApiToken): Promise<void> {
    await this.model.create(token);
  }

  /** The live token with this hash, stamping its last use. */
  use(tokenHash: string): Promise<ApiToken | null> {
    return this.model
      .findOneAndUpdate(
        { _id: tokenHash, revokedAt: { $exists: false } },
        { $set: { lastUsedAt: new Date() } },
      )
      .lean<ApiToken>()
      .exec();
  }

  listForUser(userId: Types.ObjectId): Promise<ApiToken[]> {
    return this.model.find({ userId }).sort({ createdAt: -1 }).lean<ApiToken[]>().exec();
  }

  list(): Promise<ApiToken[]> {
    return this.model.find().sort({ createdAt: -1 }).lean<ApiToken[]>().exec();
  }

  /** Removes every token of these users (their accounts are being deleted). */
  async deleteForUsers(userIds: readonly Types.ObjectId[]): Promise<void> {
    if (userIds.length > 0) await this.model.deleteMany({ userId: { $in: [...userIds] } });
  }

  async revoke(publicId: string): Promise<boolean> {
    const result = await this.model.updateOne(
      { publicId, revokedAt: { $exists: false } },
      { $set: { revokedAt: new Date() } },
    );
    return result.modifiedCount === 1;
  }
}
