import { Schema, type Types } from 'mongoose';

/**
 * Natural keys of titles (`tmdb:603`, `name:movie:the matrix:1999`), one document each with the key as
 * `_id`. `_id` is unique on MongoDB and FerretDB alike (FerretDB 1.24 does not enforce unique indexes
 * across array elements), so claiming a key by inserting it is what makes concurrent upserts of the same
 * title produce one document.
 */
export interface TitleKey {
  _id: string;
  titleId: Types.ObjectId;
  createdAt: Date;
}

export const titleKeySchema = new Schema<TitleKey>(
  {
    _id: { type: String, required: true },
    titleId: { type: Schema.Types.ObjectId, required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'title_keys', versionKey: false },
);
titleKeySchema.index({ titleId: 1 });
