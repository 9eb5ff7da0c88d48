import { Schema } from 'mongoose';
import { type AdsSettings } from '../dto/ads-settings.dto.js';

/** One document per owner (tenant): `_id` = owner id, the validated settings whole. */
export interface AdSettingsDocument {
  _id: string;
  settings: AdsSettings;
  updatedAt: Date;
  updatedBy?: string;
}

export const adSettingsSchema = new Schema<AdSettingsDocument>(
  {
    _id: { type: String, required: true },
    // Validated by the AdsSettings DTO before it gets here; stored as given.
    settings: { type: Schema.Types.Mixed, required: true },
    updatedAt: { type: Date, required: true },
    updatedBy: String,
  },
  { collection: 'ad_settings', versionKey: false, minimize: false },
);
