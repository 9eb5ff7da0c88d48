import { Injectable } from '@nestjs/common';
import { type Model } from 'mongoose';
import { MongoConnection } from '../../core/database/mongo-connection.js';
import { type Artwork, artworkSchema } from './artwork.schema.js';

@Injectable()
export class ArtworkRepository {
  private readonly model: Model<Artwork>;

  constructor(mongo: MongoConnection) {
    this.model = mongo.connection.model<Artwork>('Artwork', artworkSchema);
  }

  findById(id: string): Promise<Artwork | null> {
    return this.model.findById(id).lean<Artwork>().exec();
  }

  /** The stored object of every artwork kept (a scan: for the explorer's hunt for orphans only). */
  async storedRefs(): Promise<Set<string>> {
    const all = await this.model.find({}, { 'part.ref': 1 }).lean<Pick<Artwork, 'part'>[]>().exec();
    return new Set(all.map((artwork) => artwork.part.ref));
  }

  /** Whether a kept artwork is this stored object. */
  async storesRef(ref: string): Promise<boolean> {
    return (await this.model.findOne({ 'part.ref': ref }, { _id: 1 }).lean().exec()) !== null;
  }

  /**
   * Marks the copy as just taken up by a title (so a sweep running now spares it); false when there is
   * no copy (never kept, or swept): the caller keeps one.
   */
  async takeUp(id: string): Promise<boolean> {
    return (
      (await this.model.updateOne({ _id: id }, { $set: { takenAt: new Date() } }).exec()).matchedCount === 1
    );
  }

  /** Every artwork's id and stored object, one at a time (the sweep of unused artwork). */
  eachKept(): AsyncIterable<Pick<Artwork, '_id' | 'part'>> {
    return this.model.find({}, { part: 1 }).lean<Pick<Artwork, '_id' | 'part'>>().cursor();
  }

  /**
   * Forgets the artwork if it still has this stored object and was neither kept nor taken up since
   * `before`; false when it was (or is gone).
   */
  async forgetUnusedSince(id: string, ref: string, before: Date): Promise<boolean> {
    const filter = {
      _id: id,
      'part.ref': ref,
      createdAt: { $lt: before },
      $or: [{ takenAt: { $exists: false } }, { takenAt: { $lt: before } }],
    };
    return (await this.model.deleteOne(filter).exec()).deletedCount === 1;
  }

  /** Idempotent: the id is derived from the source, so a second store of it replaces the first. */
  async save(artwork: Artwork): Promise<void> {
    await this.model.replaceOne({ _id: artwork._id }, artwork, { upsert: true });
  }
}
