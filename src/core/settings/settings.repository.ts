import { Injectable } from '@nestjs/common';
import { type Model, Schema } from 'mongoose';
import { MongoConnection } from '../database/mongo-connection.js';
import { RUNTIME_SETTING_KEYS, type SettingOverrides } from './runtime-settings.js';

interface SettingsDocument extends SettingOverrides {
  _id: string;
  updatedAt?: Date;
  updatedBy?: string;
}

/** The one document of the `settings` collection that holds the run-time overrides. */
const DOCUMENT_ID = 'runtime';

const settingsSchema = new Schema<SettingsDocument>(
  {
    _id: { type: String, required: true },
    ...Object.fromEntries(RUNTIME_SETTING_KEYS.map((key) => [key, Number])),
    updatedAt: Date,
    updatedBy: String,
  },
  { collection: 'settings', versionKey: false },
);

@Injectable()
export class SettingsRepository {
  private readonly model: Model<SettingsDocument>;

  constructor(mongo: MongoConnection) {
    this.model = mongo.connection.model<SettingsDocument>('Settings', settingsSchema);
  }

  async read(): Promise<SettingOverrides & { updatedAt?: Date; updatedBy?: string }> {
    const document = await this.model.findById(DOCUMENT_ID).lean<SettingsDocument>().exec();
    if (!document) return {};
    const { _id, ...rest } = document;
    return rest;
  }

  /** Sets the given overrides and removes those passed as `null` (back to the env default). */
  async write(changes: { [K in keyof SettingOverrides]?: number | null }, updatedBy: string): Promise<void> {
    const $set: Record<string, unknown> = { updatedAt: new Date(), updatedBy };
    const $unset: Record<string, ''> = {};
    for (const key of RUNTIME_SETTING_KEYS) {
      if (!(key in changes)) continue;
      const value = changes[key];
      if (value === null || value === undefined) $unset[key] = '';
      else $set[key] = value;
    }
    await this.model
      .updateOne({ _id: DOCUMENT_ID }, Object.keys($unset).length > 0 ? { $set, $unset } : { $set }, {
        upsert: true,
      })
      .exec();
  }
}
