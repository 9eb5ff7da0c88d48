import { Injectable } from '@nestjs/common';
import { type Model } from 'mongoose';
import { MongoConnection } from '../../../core/database/mongo-connection.js';
import { type AdsSettings } from '../dto/ads-settings.dto.js';
import { type AdSettingsDocument, adSettingsSchema } from './ad-settings.schema.js';

@Injectable()
export class AdSettingsRepository {
  private readonly model: Model<AdSettingsDocument>;

  constructor(mongo: MongoConnection) {
    this.model = mongo.connection.model<AdSettingsDocument>('AdSettings', adSettingsSchema);
  }

  find(owner: string): Promise<AdSettingsDocument | null> {
    return this.model.findById(owner).lean<AdSettingsDocument>().exec();
  }

  async delete(owner: string): Promise<void> {
    await this.model.deleteOne({ _id: owner }).exec();
  }

  /** The whole settings object replaces the last one (a PUT). */
  async save(owner: string, settings: AdsSettings, updatedBy: string): Promise<void> {
    await this.model.replaceOne(
      { _id: owner },
      { _id: owner, settings, updatedAt: new Date(), updatedBy },
      { upsert: true },
    );
  }
}
