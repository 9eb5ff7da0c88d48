import { Schema } from 'mongoose';

/**
 * One document per ingest task that still needs a worker (queued, running, or done with its stills
 * still to make), keyed by the task id. MongoDB is the record of what is in flight, not the queue:
 * the reconciler walks this small collection instead of scanning every task ever submitted, and the
 * worker running a task renews its lease here — in a document of its own, because FerretDB applies an
 * update as a read and a write, and a lease renewal must never race a state change on the task.
 */
export interface ActiveTask {
  /** The task id. */
  _id: string;
  sourceKey: string;
  requesterId: string;
  /** The process (`INSTANCE_ID`) running the task, and until when it has promised to be alive. */
  worker?: string;
  leaseUntil?: Date;
  createdAt: Date;
}

export const activeTaskSchema = new Schema<ActiveTask>(
  {
    _id: { type: String, required: true },
    sourceKey: { type: String, required: true },
    requesterId: { type: String, required: true },
    worker: String,
    leaseUntil: Date,
    createdAt: { type: Date, required: true },
  },
  { collection: 'ingest_active', versionKey: false },
);
