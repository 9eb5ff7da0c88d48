import { Schema, type Types } from 'mongoose';

/** One stored piece of a file; a file over the storage part limit is several, in order. */
export interface StoragePart {
  ref: string;
  size: number;
}

export interface StreamInfo {
  index: number;
  codec: string;
  language?: string;
  title?: string;
  width?: number;
  height?: number;
  channels?: number;
  isDefault?: boolean;
  forced?: boolean;
  /** Subtitles: image-based (PGS, VobSub) tracks cannot become WebVTT. */
  bitmap?: boolean;
  /** Subtitles: where the track converted to WebVTT is stored, once someone asked for it. */
  vtt?: StoragePart;
  /**
   * Subtitles kept beside the file rather than inside it (a pack's sidecar `.srt`): the original as
   * stored, its SHA-256 and its name in the pack. Such tracks have `index` -1 and always a `vtt`.
   */
  external?: { part: StoragePart; sha256: string; name: string };
}

export interface MediaFile {
  _id: Types.ObjectId;
  storage: { kind: 'local' | 'telegram'; parts: StoragePart[] };
  size: number;
  mime: string;
  fileName: string;
  duration?: number;
  streams: { video: StreamInfo[]; audio: StreamInfo[]; subtitles: StreamInfo[] };
  checksum?: { sha256: string };
  /** Stills at 25/50/75% (images in the store). */
  screenshots: StoragePart[];
  /** A short clip of the file (in the store). */
  sample?: StoragePart;
  titleId?: Types.ObjectId;
  season?: number;
  episodes: number[];
  /** Counts the writes that change what the file's card shows (see FileCardRepository). */
  revision?: number;
  createdAt: Date;
  updatedAt: Date;
}

const partSchema = new Schema<StoragePart>(
  { ref: { type: String, required: true }, size: { type: Number, required: true } },
  { _id: false },
);

const streamSchema = new Schema<StreamInfo>(
  {
    index: { type: Number, required: true },
    codec: { type: String, required: true },
    language: String,
    title: String,
    width: Number,
    height: Number,
    channels: Number,
    isDefault: Boolean,
    forced: Boolean,
    bitmap: Boolean,
    vtt: { type: partSchema, default: undefined },
    external: {
      type: new Schema(
        { part: { type: partSchema, required: true }, sha256: String, name: String },
        { _id: false },
      ),
      default: undefined,
    },
  },
  { _id: false },
);

export const mediaFileSchema = new Schema<MediaFile>(
  {
    storage: {
      kind: { type: String, enum: ['local', 'telegram'], required: true },
      parts: { type: [partSchema], default: [] },
    },
    size: { type: Number, required: true },
    mime: { type: String, required: true },
    fileName: { type: String, required: true },
    duration: Number,
    streams: {
      video: { type: [streamSchema], default: [] },
      audio: { type: [streamSchema], default: [] },
      subtitles: { type: [streamSchema], default: [] },
    },
    checksum: { sha256: String },
    screenshots: { type: [partSchema], default: [] },
    sample: { type: partSchema, default: undefined },
    titleId: { type: Schema.Types.ObjectId },
    season: Number,
    episodes: { type: [Number], default: [] },
    revision: { type: Number, default: 0 },
  },
  { collection: 'media_files', timestamps: true },
);
mediaFileSchema.index({ titleId: 1 });
mediaFileSchema.index({ 'checksum.sha256': 1 });
