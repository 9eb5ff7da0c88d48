import { Injectable } from '@nestjs/common';
import { type Model } from 'mongoose';
import { MongoConnection } from '../core/database/mongo-connection.js';
import { type MagicLink, magicLinkSchema } from './schemas/magic-link.schema.js';

@Injectable()
export class MagicLinkRepository {
  private readonly model: Model<MagicLink>;

  constructor(mongo: MongoConnection) {
    this.model = mongo.connection.model<MagicLink>('MagicLink', magicLinkSchema);
  }

  async insert(link: MagicLink): Promise<void> {
    await this.model.create(link);
  }

  /** Marks the link used if it is unused and unexpired — atomically, so a link works exactly once. */
  consume(tokenHash: string, now = new Date()): Promise<MagicLink | null> {
    return this.model
      .findOneAndUpdate(
        { _id: tokenHash, usedAt: { $exists: false }, expiresAt: { $gt: now } },
        { $set: { usedAt: now } },
        { returnDocument: 'after' },
      )
      .lean<MagicLink>()
      .exec();
  }
}
