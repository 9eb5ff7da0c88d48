import { Schema } from 'mongoose';

/** The origin list admins publish, one document (`_id: 'current'`); every change bumps `version`. */
export interface SatelliteConfig {
  _id: string;
  version: number;
  origins: string[];
  updatedAt: Date;
  updatedBy?: string;
}

export const satelliteConfigSchema = new Schema<SatelliteConfig>(
  {
    _id: { type: String, required: true },
    version: { type: Number, required: true },
    origins: { type: [String], default: [] },
    updatedAt: { type: Date, required: true },
    updatedBy: String,
  },
  { collection: 'satellite_config', versionKey: false, minimize: false },
);
