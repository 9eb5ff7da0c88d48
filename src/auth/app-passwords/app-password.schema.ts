import { Schema } from 'mongoose';
import { type SealedValue } from './app-password-secrets.js';

export interface AppPasswordEntry {
  id: string;
  label: string;
  /** Keyed hash (HMAC-SHA256) of the password. */
  hash: string;
  /** The password sealed with AES-256-GCM, for protocols that need its clear value. */
  sealed: SealedValue;
  createdAt: Date;
  lastUsedAt?: Date;
}

/**
 * One document per user (`_id` = the user's id) holding all of its app passwords, so checking a
 * password (whose text names its owner) and listing a user's are one `_id` lookup each. Revoking
 * removes the entry: every role reads this document on every use, so it takes effect at once.
 */
export interface AppPasswordSet {
  _id: string;
  entries: AppPasswordEntry[];
}

const sealedSchema = new Schema<SealedValue>(
  {
    iv: { type: String, required: true },
    tag: { type: String, required: true },
    data: { type: String, required: true },
  },
  { _id: false },
);

const entrySchema = new Schema<AppPasswordEntry>(
  {
    id: { type: String, required: true },
    label: { type: String, required: true },
    hash: { type: String, required: true },
    sealed: { type: sealedSchema, required: true },
    createdAt: { type: Date, required: true },
    lastUsedAt: Date,
  },
  { _id: false },
);

export const appPasswordSetSchema = new Schema<AppPasswordSet>(
  {
    _id: { type: String, required: true },
    entries: { type: [entrySchema], default: [] },
  },
  { collection: 'app_passwords', versionKey: false, minimize: false },
);
