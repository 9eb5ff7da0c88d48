import { Injectable } from '@nestjs/common';
import { type Model } from 'mongoose';
import { MongoConnection } from '../../core/database/mongo-connection.js';
import { AppPasswordEpochs } from './app-password-epochs.js';
import { type AppPasswordSet, appPasswordSetSchema } from './app-password.schema.js';

@Injectable()
export class AppPasswordRepository {
  private readonly model: Model<AppPasswordSet>;

  constructor(
    mongo: MongoConnection,
    private readonly epochs: AppPasswordEpochs,
  ) {
    this.model = mongo.connection.model<AppPasswordSet>('AppPasswordSet', appPasswordSetSchema);
  }

  find(userId: string): Promise<AppPasswordSet | null> {
    return this.model.findById(userId).lean<AppPasswordSet>().exec();
  }

  /** Removes the app passwords of these users (one document each, by `_id`). */
  async deleteForUsers(userIds: readonly string[]): Promise<void> {
    if (userIds.length === 0) return;
    await this.model.deleteMany({ _id: { $in: [...userIds] } });
    // Every process that remembers one of them as verified checks this before using the memory.
    await this.epochs.bump(userIds);
  }

  /** Whole-document write: callers hold the user's lock (read-modify-write). */
  async save(set: AppPasswordSet): Promise<void> {
    await this.model.replaceOne({ _id: set._id }, set, { upsert: true });
    await this.epochs.bump([set._id]);
  }
}
