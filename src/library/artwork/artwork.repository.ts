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

  /** Idempotent: the id is derived from the source, so a second store of it replaces the first. */
  async save(artwork: Artwork): Promise<void> {
    await this.model.replaceOne({ _id: artwork._id }, artwork, { upsert: true });
  }
}
