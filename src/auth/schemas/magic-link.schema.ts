import { Schema, type Types } from 'mongoose';

/** A single-use login link; only the SHA-256 of its token is stored (as `_id`). */
export interface MagicLink {
  _id: string;
  userId: Types.ObjectId;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt?: Date;
}

export const magicLinkSchema = new Schema<MagicLink>(
  {
    _id: { type: String, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    createdBy: { type: String, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    usedAt: Date,
  },
  { collection: 'magic_links', versionKey: false },
);
magicLinkSchema.index({ expiresAt: 1 });
