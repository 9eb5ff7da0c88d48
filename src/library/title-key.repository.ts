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

  async deleteForTitle(titleId: Types.ObjectId): Promise<void> {
    await this.model.deleteMany({ titleId });
  }
}
