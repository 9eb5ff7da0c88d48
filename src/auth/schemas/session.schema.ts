import { Schema, type Types } from 'mongoose';

/** A signed-in browser or client. Revoked on logout; expiry is checked on read and swept later. */
export interface Session {
  _id: string;
  userId: Types.ObjectId;
  createdAt: Date;
  expiresAt: Date;
  revokedAt?: Date;
  userAgent?: string;
  ip?: string;
  method: 'password' | 'magic-link';
}

export const sessionSchema = new Schema<Session>(
  {
    _id: { type: String, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    revokedAt: Date,
    userAgent: String,
    ip: String,
    method: { type: String, enum: ['password', 'magic-link'], required: true },
  },
  { collection: 'sessions', versionKey: false },
);
sessionSchema.index({ userId: 1 });
sessionSchema.index({ expiresAt: 1 });
