import { Schema } from 'mongoose';

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
  sourceKind: 'http' | 'magnet';
  hint?: string;
  requester: { id: string; name: string };
  chatId?: number;
  state: TaskState;
  attempts: number;
  engine?: string;
  error?: string;
  /** Results of finished steps, so a restarted job resumes after the last one. */
  download?: { path: string; fileName: string; size: number };
  probe?: { duration?: number; mime: string; streams: unknown };
  storedParts?: { ref: string; size: number }[];
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
    sourceKind: { type: String, enum: ['http', 'magnet'], required: true },
    hint: String,
    requester: { id: { type: String, required: true }, name: { type: String, required: true } },
    chatId: Number,
    state: { type: String, enum: TASK_STATES, required: true },
    attempts: { type: Number, default: 0 },
    engine: String,
    error: String,
    download: { path: String, fileName: String, size: Number },
    probe: { type: Schema.Types.Mixed },
    storedParts: { type: [{ ref: String, size: Number, _id: false }], default: undefined },
    artifacts: { type: Schema.Types.Mixed },
    storedArtifacts: { type: Schema.Types.Mixed },
    fileId: String,
    titleId: String,
    transitions: { type: [{ state: String, at: Date, _id: false }], default: [] },
  },
  { collection: 'ingest_tasks', timestamps: true, versionKey: false },
);
ingestTaskSchema.index({ state: 1, createdAt: -1 });
ingestTaskSchema.index({ source: 1, state: 1 });
ingestTaskSchema.index({ 'requester.id': 1, state: 1 });
