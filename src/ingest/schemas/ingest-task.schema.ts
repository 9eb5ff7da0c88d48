import { Schema } from 'mongoose';
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
  /** Results of finished steps, so a restarted job resumes after the last one. */
  download?: { path: string; fileName: string; size: number; sha256?: string };
  probe?: { duration?: number; mime: string; streams: unknown };
  /** SHA-256 of the processed file: identical content already stored is reused, not uploaded again. */
  checksum?: string;
  /** Parts of the main file stored so far (an interrupted upload resumes after them). */
  uploadedParts?: { ref: string; size: number }[];
  storedParts?: { ref: string; size: number }[];
  /** The file was already in the library (same checksum); nothing was uploaded. */
  reusedFile?: boolean;
  /** Done, but the stills and sample are still being made (they follow the playable file). */
  artifactsPending?: boolean;
  /** Stills and sample made in the sandbox (paths), then stored (parts). */
  artifacts?: { screenshots: string[]; sample?: string; faststart: boolean };
  storedArtifacts?: { screenshots: { ref: string; size: number }[]; sample?: { ref: string; size: number } };
  fileId?: string;
  titleId?: string;
  transitions: { state: TaskState; at: Date }[];
  createdAt: Date;
  updatedAt: Date;
}

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
    download: { path: String, fileName: String, size: Number, sha256: String },
    probe: { type: Schema.Types.Mixed },
    checksum: String,
    uploadedParts: { type: [{ ref: String, size: Number, _id: false }], default: undefined },
    storedParts: { type: [{ ref: String, size: Number, _id: false }], default: undefined },
    reusedFile: Boolean,
    artifactsPending: Boolean,
    artifacts: { type: Schema.Types.Mixed },
    storedArtifacts: { type: Schema.Types.Mixed },
    fileId: String,
    titleId: String,
    transitions: { type: [{ state: String, at: Date, _id: false }], default: [] },
  },
  { collection: 'ingest_tasks', timestamps: true, versionKey: false },
);
ingestTaskSchema.index({ state: 1, createdAt: -1 });
ingestTaskSchema.index({ sourceKey: 1, state: 1 });
ingestTaskSchema.index({ 'requester.id': 1, state: 1 });
