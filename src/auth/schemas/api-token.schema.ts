import { Schema, type Types } from 'mongoose';

/** A script's credential; only the SHA-256 of the token is stored (as `_id`). */
export interface ApiToken {
  _id: string;
  /** Public handle for listing and revoking (never the token or its hash). */
  publicId: string;
  userId: Types.ObjectId;
  name: string;
  /** First characters of the token, to tell tokens apart in lists. */
  hint: string;
  createdAt: Date;
  lastUsedAt?: Date;
  revokedAt?: Date;
}

export const apiTokenSchema = new Schema<ApiToken>(
  {
    _id: { type: String, required: true },
    publicId: { type: String, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    name: { type: String, required: true },
    hint: { type: String, required: true },
    createdAt: { type: Date, required: true },
    lastUsedAt: Date,
    revokedAt: Date,
  },
  { collection: 'api_tokens', versionKey: false },
);
apiTokenSchema.index({ userId: 1 });
apiTokenSchema.index({ publicId: 1 }, { unique: true });
