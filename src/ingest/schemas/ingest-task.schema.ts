import { Schema } from 'mongoose';
import { type IngestItem, ITEM_STATES, MEDIA_KINDS } from '../items/ingest-item.js';
import { type TelegramFileSource } from '../telegram/telegram-file-source.js';

export const TASK_STATES = [
  'queued',
  'downloading',
  'processing',
  'uploading',
  'indexing',
  'done',
  'failed',
  'cancelled',
] as const;
export type TaskState = (typeof TASK_STATES)[number];
export const ACTIVE_STATES: readonly TaskState[] = [
  'queued',
  'downloading',
  'processing',
  'uploading',
  'indexing',
];

export interface IngestTask {
  _id: string;
  source: string;
  /** What makes two submissions the same source: the normalised URL, or `btih:<hash>` for a magnet. */
  sourceKey: string;
  sourceKind: 'http' | 'magnet' | 'telegram';
  /** For `sourceKind: 'telegram'`: the file sent to the bot (a URL submission never has one). */
  telegramFile?: TelegramFileSource;
  hint?: string;
  requester: { id: string; name: string; role?: string };
  chatId?: number;
  state: TaskState;
  attempts: number;
  engine?: string;
  error?: string;
  /** The download: the file, or the folder of a multi-file torrent (its files become the items). */
  download?: {
    path: string;
    fileName: string;
    size: number;
    sha256?: string;
    /** The download was an archive holding a pack (zip, rar, 7z, tar): its entries are the items. */
    unpacked?: string;
    /** The archive's entries refused at unpacking (unsafe names), reported as skipped items. */
    refused?: IngestItem[];
  };
  /**
   * The files of the source, classified, each with its own state and results. Set once after the
   * download (a torrent folder, an archive's entries, or the one file) and kept through retries.
   */
  items?: IngestItem[];
  /** Done, but stills and samples of its videos are still being made (they follow the playable files). */
  artifactsPending?: boolean;
  transitions: { state: TaskState; at: Date }[];
  createdAt: Date;
  updatedAt: Date;
}

const itemSchema = new Schema<IngestItem>(
  {
    path: { type: String, default: '' },
    name: { type: String, required: true },
    kind: { type: String, enum: MEDIA_KINDS, required: true },
    size: { type: Number, required: true },
    state: { type: String, enum: ITEM_STATES, required: true },
    error: String,
    note: String,
    attempts: Number,
    companionOf: Number,
    language: String,
    probe: { type: Schema.Types.Mixed },
    checksum: String,
    faststart: Boolean,
    uploadedParts: { type: [{ ref: String, size: Number, _id: false }], default: undefined },
    storedParts: { type: [{ ref: String, size: Number, _id: false }], default: undefined },
    reusedFile: Boolean,
    fileId: String,
    titleId: String,
    artifactsPending: Boolean,
    storedArtifacts: { type: Schema.Types.Mixed },
    comic: { type: Schema.Types.Mixed },
    audio: { type: Schema.Types.Mixed },
  },
  { _id: false },
);

export const ingestTaskSchema = new Schema<IngestTask>(
  {
    _id: { type: String, required: true },
    source: { type: String, required: true },
    sourceKey: { type: String, required: true },
    sourceKind: { type: String, enum: ['http', 'magnet', 'telegram'], required: true },
    telegramFile: {
      type: new Schema<TelegramFileSource>(
        {
          fileId: { type: String, required: true },
          fileUniqueId: { type: String, required: true },
          size: Number,
          fileName: String,
          mime: String,
          chatId: { type: Number, required: true },
          messageId: { type: Number, required: true },
        },
        { _id: false },
      ),
      default: undefined,
    },
    hint: String,
    requester: { id: { type: String, required: true }, name: { type: String, required: true }, role: String },
    chatId: Number,
    state: { type: String, enum: TASK_STATES, required: true },
    attempts: { type: Number, default: 0 },
    engine: String,
    error: String,
    download: {
      path: String,
      fileName: String,
      size: Number,
      sha256: String,
      unpacked: String,
      refused: { type: [itemSchema], default: undefined },
    },
    items: { type: [itemSchema], default: undefined },
    artifactsPending: Boolean,
    transitions: { type: [{ state: String, at: Date, _id: false }], default: [] },
  },
  { collection: 'ingest_tasks', timestamps: true, versionKey: false },
);
ingestTaskSchema.index({ state: 1, createdAt: -1 });
ingestTaskSchema.index({ sourceKey: 1, state: 1 });
ingestTaskSchema.index({ 'requester.id': 1, state: 1 });
