import { Injectable } from '@nestjs/common';
import { type Model } from 'mongoose';
import { MongoConnection } from '../../core/database/mongo-connection.js';
import { type AppPasswordSet, appPasswordSetSchema } from './app-password.schema.js';

@Injectable()
export class AppPasswordRepository {
  private readonly model: Model<AppPasswordSet>;

  constructor(mongo: MongoConnection) {
    this.model = mongo.connection.model<AppPasswordSet>('AppPasswordSet', appPasswordSetSchema);
  }

  find(userId: string): Promise<AppPasswordSet | null> {
    return this.model.findById(userId).lean<AppPasswordSet>().exec();
  }

  /** Removes the app passwords of these users (one document each, by `_id`). */
  async deleteForUsers(userIds: readonly string[]): Promise<void> {
    if (userIds.length > 0) await this.model.deleteMany({ _id: { $in: [...userIds] } });
  }

  /** Whole-document write: callers hold the user's lock (read-modify-write). */
  async save(set: AppPasswordSet): Promise<void> {
    await this.model.replaceOne({ _id: set._id }, set, { upsert: true });
  }
}
