import { Injectable } from '@nestjs/common';
import { type Model } from 'mongoose';
import { MongoConnection } from '../../core/database/mongo-connection.js';
import { type SatelliteConfig, satelliteConfigSchema } from './satellite-config.schema.js';

const CURRENT = 'current';

@Injectable()
export class SatelliteConfigRepository {
  private readonly model: Model<SatelliteConfig>;

  constructor(mongo: MongoConnection) {
    this.model = mongo.connection.model<SatelliteConfig>('SatelliteConfig', satelliteConfigSchema);
  }

  find(): Promise<SatelliteConfig | null> {
    return this.model.findById(CURRENT).lean<SatelliteConfig>().exec();
  }

  /** Callers hold the satellite lock (the version is read, bumped and written). */
  async save(config: Omit<SatelliteConfig, '_id'>): Promise<void> {
    await this.model.replaceOne({ _id: CURRENT }, { _id: CURRENT, ...config }, { upsert: true });
  }
}
