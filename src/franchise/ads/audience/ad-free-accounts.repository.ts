import { Injectable } from '@nestjs/common';
import { type Model } from 'mongoose';
import { MongoConnection } from '../../../core/database/mongo-connection.js';
import { type AdFreeAccount, adFreeAccountSchema } from './ad-free-account.schema.js';

const idOf = (owner: string, userId: string) => `${owner}:${userId}`;

@Injectable()
export class AdFreeAccountsRepository {
  private readonly model: Model<AdFreeAccount>;

  constructor(mongo: MongoConnection) {
    this.model = mongo.connection.model<AdFreeAccount>('AdFreeAccount', adFreeAccountSchema);
  }

  async isAdFree(owner: string, userId: string): Promise<boolean> {
    return (await this.model.exists({ _id: idOf(owner, userId) }).exec()) !== null;
  }

  /** The owner's ad-free user ids (a short list an admin keeps; read by the ads page only). */
  async list(owner: string): Promise<string[]> {
    const rows = await this.model.find({ owner }).lean<AdFreeAccount[]>().exec();
    return rows.map((row) => row.userId);
  }

  async mark(owner: string, userId: string, markedBy: string): Promise<void> {
    await this.model.replaceOne(
      { _id: idOf(owner, userId) },
      { _id: idOf(owner, userId), owner, userId, markedAt: new Date(), markedBy },
      { upsert: true },
    );
  }

  async deleteForOwner(owner: string): Promise<void> {
    await this.model.deleteMany({ owner }).exec();
  }

  async unmark(owner: string, userId: string): Promise<void> {
    await this.model.deleteOne({ _id: idOf(owner, userId) }).exec();
  }
}
