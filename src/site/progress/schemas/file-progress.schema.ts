import { Schema } from 'mongoose';

/**
 * Where one identity is in one file. `_id` is `<identityId>:<fileId>`, so every read and write is an
 * `_id` lookup (the only query FerretDB's SQLite backend answers without a scan).
 */
export interface FileProgress {
  _id: string;
  identityId: string;
  fileId: string;
  titleId?: string;
  position: number;
  duration: number;
  /** At or past the watched mark on the last save. */
  finished: boolean;
  updatedAt: Date;
}

export function fileProgressId(identityId: string, fileId: string): string {
  return `${identityId}:${fileId}`;
}

export const fileProgressSchema = new Schema<FileProgress>(
  {
    _id: { type: String, required: true },
    identityId: { type: String, required: true },
    fileId: { type: String, required: true },
    titleId: String,
    position: { type: Number, required: true },
    duration: { type: Number, required: true },
    finished: { type: Boolean, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'progress', versionKey: false },
);
