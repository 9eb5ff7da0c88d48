import { Schema } from 'mongoose';

/**
 * An account its owner (tenant) shows no ads to: `_id` = `<owner>:<userId>`, so the check on every page
 * is one `_id` read, and an owner's accounts never mark another owner's.
 */
export interface AdFreeAccount {
  _id: string;
  owner: string;
  userId: string;
  markedAt: Date;
  markedBy: string;
}

export const adFreeAccountSchema = new Schema<AdFreeAccount>(
  {
    _id: { type: String, required: true },
    owner: { type: String, required: true },
    userId: { type: String, required: true },
    markedAt: { type: Date, required: true },
    markedBy: { type: String, required: true },
  },
  { collection: 'ad_free_accounts', versionKey: false },
);
