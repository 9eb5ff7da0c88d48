import { Schema, type Types } from 'mongoose';

/**
 * `<storage kind>:<sha256>` → the file holding that content: how ingest finds content already stored
 * with one `_id` lookup (FerretDB would scan every file for a `checksum.sha256` filter).
 */
export interface ContentKey {
  _id: string;
  fileId: Types.ObjectId;
  createdAt: Date;
}

export const contentKeySchema = new Schema<ContentKey>(
  {
    _id: { type: String, required: true },
    fileId: { type: Schema.Types.ObjectId, required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'content_keys', versionKey: false },
);

/** The marker written once every file from before the collection existed has its key. */
export const BACKFILLED = '~backfilled';
