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
  /** Reading progress (ReadVault): the chapter, whose page is `position` of `duration` pages. */
  chapterId?: string;
  position: number;
  duration: number;
  /** At or past the watched mark on the last save. */
  finished: boolean;
  updatedAt: Date;
}

export function fileProgressId(identityId: string, fileId: string): string {
  return `${identityId}:${fileId}`;
}

/**
 * What a progress record is kept under for its identity: the file watched, or `chapter:<id>` for a
 * chapter read (a chapter's CBZ could be shared by two chapters of the same content).
 */
export function progressItemKey(progress: { fileId: string; chapterId?: string }): string {
  return progress.chapterId ? chapterProgressKey(progress.chapterId) : progress.fileId;
}

export function chapterProgressKey(chapterId: string): string {
  return `chapter:${chapterId}`;
}

export const fileProgressSchema = new Schema<FileProgress>(
  {
    _id: { type: String, required: true },
    identityId: { type: String, required: true },
    fileId: { type: String, required: true },
    titleId: String,
    chapterId: String,
    position: { type: Number, required: true },
    duration: { type: Number, required: true },
    finished: { type: Boolean, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'progress', versionKey: false },
);
