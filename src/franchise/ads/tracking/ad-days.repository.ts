import { Injectable } from '@nestjs/common';
import { type Model } from 'mongoose';
import { MongoConnection } from '../../../core/database/mongo-connection.js';
import { type AdDay, adDaySchema } from './ad-day.schema.js';

export const adDayId = (owner: string, day: string) => `${owner}:${day}`;

@Injectable()
export class AdDaysRepository {
  private readonly model: Model<AdDay>;

  constructor(mongo: MongoConnection) {
    this.model = mongo.connection.model<AdDay>('AdDay', adDaySchema);
  }

  /** The stored days among `days` (an `_id` `$in`: fast on every backend). */
  find(owner: string, days: readonly string[]): Promise<AdDay[]> {
    return this.model
      .find({ _id: { $in: days.map((day) => adDayId(owner, day)) } })
      .lean<AdDay[]>()
      .exec();
  }

  async deleteForOwner(owner: string): Promise<void> {
    await this.model.deleteMany({ owner }).exec();
  }

  /** Idempotent: the day's counters as Redis holds them replace the last copy. */
  async save(owner: string, day: string, counts: Record<string, number>): Promise<void> {
    const _id = adDayId(owner, day);
    await this.model.replaceOne(
      { _id },
      { _id, owner, day, counts, flushedAt: new Date() },
      { upsert: true },
    );
  }
}
