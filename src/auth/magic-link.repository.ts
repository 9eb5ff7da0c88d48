import { Injectable } from '@nestjs/common';
import { type Model, Schema, type Types } from 'mongoose';
import { isDuplicateKeyError, MongoConnection } from '../core/database/mongo-connection.js';
import { type MagicLink, magicLinkSchema } from './schemas/magic-link.schema.js';

/** One per redeemed link, keyed by the link's hash. */
interface Redemption {
  _id: string;
  at: Date;
}

@Injectable()
export class MagicLinkRepository {
  private readonly model: Model<MagicLink>;
  private readonly redemptions: Model<Redemption>;

  constructor(mongo: MongoConnection) {
    this.model = mongo.connection.model<MagicLink>('MagicLink', magicLinkSchema);
    this.redemptions = mongo.connection.model<Redemption>(
      'MagicLinkRedemption',
      new Schema<Redemption>(
        { _id: { type: String, required: true }, at: { type: Date, required: true } },
        { collection: 'magic_link_redemptions', versionKey: false },
      ),
    );
  }

  async insert(link: MagicLink): Promise<void> {
    await this.model.create(link);
  }

  /** The link, while it is unexpired and unused (its redemption is `consume`'s). */
  async usable(tokenHash: string, now = new Date()): Promise<MagicLink | null> {
    const link = await this.model
      .findOne({ _id: tokenHash, expiresAt: { $gt: now } })
      .lean<MagicLink>()
      .exec();
    return link && !link.usedAt ? link : null;
  }

  /**
   * Redeems the link once (true), or finds it redeemed already (false): the redemption is an insert
   * keyed by the link's hash, which both MongoDB and FerretDB refuse twice — even for two requests
   * racing (FerretDB's filtered updates are not atomic).
   */
  async consume(tokenHash: string, now = new Date()): Promise<boolean> {
    try {
      await this.redemptions.create({ _id: tokenHash, at: now });
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
    await this.model.updateOne({ _id: tokenHash }, { $set: { usedAt: now } });
    return true;
  }

  /** Removes the login links of these users (their accounts are being deleted). */
  async deleteForUsers(userIds: readonly Types.ObjectId[]): Promise<void> {
    if (userIds.length > 0) await this.model.deleteMany({ userId: { $in: [...userIds] } });
  }

  /** Removes links (and their redemption markers) that can no longer be used. */
  async deleteExpiredBefore(now: Date): Promise<number> {
    const expired = await this.model
      .find({ expiresAt: { $lt: now } }, { _id: 1 })
      .lean<{ _id: string }[]>()
      .exec();
    const ids = expired.map((link) => link._id);
    if (ids.length === 0) return 0;
    await this.redemptions.deleteMany({ _id: { $in: ids } });
    return (await this.model.deleteMany({ _id: { $in: ids } })).deletedCount;
  }
}
