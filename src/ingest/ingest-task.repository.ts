import { Injectable } from '@nestjs/common';
import { type Model } from 'mongoose';
import { MongoConnection } from '../core/database/mongo-connection.js';
import {
  ACTIVE_STATES,
  type IngestTask,
  ingestTaskSchema,
  type TaskState,
} from './schemas/ingest-task.schema.js';

export type NewIngestTask = Pick<
  IngestTask,
  '_id' | 'source' | 'sourceKey' | 'sourceKind' | 'telegramFile' | 'hint' | 'requester' | 'chatId'
>;

@Injectable()
export class IngestTaskRepository {
  private readonly model: Model<IngestTask>;

  constructor(mongo: MongoConnection) {
    this.model = mongo.connection.model<IngestTask>('IngestTask', ingestTaskSchema);
  }

  async insert(task: NewIngestTask): Promise<IngestTask> {
    const now = new Date();
    return (
      await this.model.create({
        ...task,
        state: 'queued',
        attempts: 0,
        transitions: [{ state: 'queued', at: now }],
      })
    ).toObject<IngestTask>();
  }

  findById(id: string): Promise<IngestTask | null> {
    return this.model.findById(id).lean<IngestTask>().exec();
  }

  findActiveBySource(sourceKey: string): Promise<IngestTask | null> {
    return this.model
      .findOne({ sourceKey, state: { $in: ACTIVE_STATES } })
      .lean<IngestTask>()
      .exec();
  }

  countActiveFor(requesterId: string): Promise<number> {
    return this.model.countDocuments({ 'requester.id': requesterId, state: { $in: ACTIVE_STATES } }).exec();
  }

  list(limit: number): Promise<IngestTask[]> {
    return this.model.find().sort({ createdAt: -1 }).limit(limit).lean<IngestTask[]>().exec();
  }

  /** Records a step's results and, when `state` is given, the transition (callers hold the task lock). */
  async update(id: string, set: Partial<IngestTask>, state?: TaskState): Promise<void> {
    const update: Record<string, unknown> = { $set: state ? { ...set, state } : set };
    if (state) update.$push = { transitions: { state, at: new Date() } };
    await this.model.updateOne({ _id: id }, update);
  }

  /**
   * A worker's step result and transition, never over a cancel (the API may cancel at any moment).
   * False when the task was cancelled, so the worker stops instead of resurrecting it.
   */
  async advance(id: string, set: Partial<IngestTask>, state?: TaskState): Promise<boolean> {
    const update: Record<string, unknown> = { $set: state ? { ...set, state } : set };
    if (state) update.$push = { transitions: { state, at: new Date() } };
    const result = await this.model.updateOne({ _id: id, state: { $ne: 'cancelled' } }, update);
    return result.matchedCount > 0;
  }

  async incrementAttempts(id: string): Promise<void> {
    await this.model.updateOne({ _id: id }, { $inc: { attempts: 1 } });
  }
}
