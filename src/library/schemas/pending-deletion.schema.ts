import { Schema } from 'mongoose';

/**
 * Stored bytes that must be removed from storage. Written before the library records that reference
 * them are deleted, so a crash in between forgets nothing; the storage issue's job drains it.
 */
export interface PendingDeletion {
  _id: string;
  storageKind: 'local' | 'telegram';
  ref: string;
  /** The library file the object belonged to; absent for objects of no file (artwork). */
  fileId?: string;
  reason: string;
  attempts: number;
  lastError?: string;
  /** Not tried again before this (backoff after a failure); absent = due now. */
  nextAttemptAt?: Date;
  createdAt: Date;
}

export const pendingDeletionSchema = new Schema<PendingDeletion>(
  {
    _id: { type: String, required: true },
    storageKind: { type: String, enum: ['local', 'telegram'], required: true },
    ref: { type: String, required: true },
    fileId: String,
    reason: { type: String, required: true },
    attempts: { type: Number, default: 0 },
    lastError: String,
    nextAttemptAt: Date,
    createdAt: { type: Date, required: true },
  },
  { collection: 'pending_deletions', versionKey: false },
);
pendingDeletionSchema.index({ createdAt: 1 });
