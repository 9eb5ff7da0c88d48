import { Injectable } from '@nestjs/common';
import { type Model, type Types } from 'mongoose';
import { isDuplicateKeyError, MongoConnection } from '../core/database/mongo-connection.js';
import { type TitleKey, titleKeySchema } from './schemas/title-key.schema.js';

@Injectable()
export class TitleKeyRepository {
  private readonly model: Model<TitleKey>;

  constructor(mongo: MongoConnection) {
    this.model = mongo.connection.model<TitleKey>('TitleKey', titleKeySchema);
  }

  /** The owners of whichever of `keys` exist, in the order of `keys`. */
  async owners(keys: string[]): Promise<{ key: string; titleId: Types.ObjectId }[]> {
    const found = await this.model
      .find({ _id: { $in: keys } })
      .lean<TitleKey[]>()
      .exec();
    const byKey = new Map(found.map((doc) => [doc._id, doc.titleId]));
    return keys.flatMap((key) => (byKey.has(key) ? [{ key, titleId: byKey.get(key)! }] : []));
  }

  /** Claims `key` for `titleId`; false when another title already holds it. */
  async claim(key: string, titleId: Types.ObjectId): Promise<boolean> {
    try {
      await this.model.create({ _id: key, titleId, createdAt: new Date() });
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  /**
   * Claims many keys in one round trip (bulk import); returns the positions in `claims` whose key
   * another title already held, an earlier claim in the same call included (positions, not keys:
   * the first of two claims of one key holds it and must not be dropped with the second).
   */
  async claimMany(claims: { key: string; titleId: Types.ObjectId }[]): Promise<Set<number>> {
    if (claims.length === 0) return new Set();
    const docs = claims.map(({ key, titleId }) => ({ _id: key, titleId, createdAt: new Date() }));
    try {
      // The driver types `_id` as an ObjectId; these keys are strings by design (see TitleKey).
      await this.model.collection.insertMany(
        docs as unknown as Parameters<typeof this.model.collection.insertMany>[0],
        {
          ordered: false,
        },
      );
      return new Set();
    } catch (error) {
      const writeErrors = (error as { writeErrors?: { index: number; code?: number }[] }).writeErrors;
      if (!writeErrors || writeErrors.some((e) => e.code !== 11000)) throw error;
      return new Set(writeErrors.map((e) => e.index));
    }
  }

  async deleteForTitle(titleId: Types.ObjectId): Promise<void> {
    await this.model.deleteMany({ titleId });
  }
}
