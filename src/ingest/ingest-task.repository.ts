import { Injectable } from '@nestjs/common';
import { type Model } from 'mongoose';
import { MongoConnection } from '../core/database/mongo-connection.js';
import { RedisMutex } from '../core/redis/redis-mutex.js';
import { type IngestItem } from './items/ingest-item.js';
import { type ActiveTask, activeTaskSchema } from './schemas/active-task.schema.js';
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

/** Whether a task still needs a worker: active, or done with its stills and sample still to make. */
export function needsWorker(task: Pick<IngestTask, 'state' | 'artifactsPending'>): boolean {
  return ACTIVE_STATES.includes(task.state) || (task.state === 'done' && Boolean(task.artifactsPending));
}

/**
 * Ingest tasks, and the small set of those in flight (`ingest_active`, see ActiveTask). Every write
 * that ends a task's need for a worker removes it from that set; submissions add to it first.
 *
 * Writes to one task are serialised by a Redis lock: FerretDB applies an update as a read of the whole
 * document and a write of the whole document back, so a worker recording a step's result and a
 * manager cancelling the task at the same moment would otherwise lose one of the two.
 */
@Injectable()
export class IngestTaskRepository {
  private readonly model: Model<IngestTask>;
  private readonly active: Model<ActiveTask>;
  /** Writes to each task waiting in this process, in order (see `locked`). */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    mongo: MongoConnection,
    private readonly mutex: RedisMutex,
  ) {
    this.model = mongo.connection.model<IngestTask>('IngestTask', ingestTaskSchema);
    this.active = mongo.connection.model<ActiveTask>('ActiveIngestTask', activeTaskSchema);
  }

  async insert(task: NewIngestTask): Promise<IngestTask> {
    const now = new Date();
    // In flight first: a crash between the two leaves an entry without a task, which the reconciler
    // drops, never a task nobody will look after.
    await this.active.create({
      _id: task._id,
      sourceKey: task.sourceKey,
      requesterId: task.requester.id,
      createdAt: now,
    });
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

  /** The active task fetching `sourceKey`, found through the in-flight set (no scan of all tasks). */
  async findActiveBySource(sourceKey: string): Promise<IngestTask | null> {
    const entries = await this.active.find({ sourceKey }).lean<ActiveTask[]>().exec();
    for (const entry of entries) {
      const task = await this.findById(entry._id);
      if (task && ACTIVE_STATES.includes(task.state)) return task;
    }
    return null;
  }

  async countActiveFor(requesterId: string): Promise<number> {
    const entries = await this.active.find({ requesterId }).lean<ActiveTask[]>().exec();
    const tasks = await Promise.all(entries.map((entry) => this.findById(entry._id)));
    return tasks.filter((task) => task && ACTIVE_STATES.includes(task.state)).length;
  }

  /**
   * Ids starting with `prefix` (the short id people type), of `requesterId`'s tasks or, without one,
   * of anyone's; at most `limit`. Ids are UUIDs: a prefix of anything else matches nothing.
   */
  async idsStartingWith(prefix: string, requesterId: string | undefined, limit: number): Promise<string[]> {
    if (!/^[0-9a-f-]+$/.test(prefix)) return [];
    const filter: Record<string, unknown> = { _id: { $regex: `^${prefix}` } };
    if (requesterId !== undefined) filter['requester.id'] = requesterId;
    const found = await this.model.find(filter, { _id: 1 }).limit(limit).lean<{ _id: string }[]>().exec();
    return found.map((task) => task._id);
  }

  list(limit: number): Promise<IngestTask[]> {
    return this.model.find().sort({ createdAt: -1 }).limit(limit).lean<IngestTask[]>().exec();
  }

  /** Records a step's results and, when `state` is given, the transition (callers hold the task lock). */
  async update(id: string, set: Partial<IngestTask>, state?: TaskState): Promise<void> {
    const update: Record<string, unknown> = { $set: state ? { ...set, state } : set };
    if (state) update.$push = { transitions: { state, at: new Date() } };
    await this.locked(id, () => this.model.updateOne({ _id: id }, update));
    if (state) await this.settle(id, { state, artifactsPending: set.artifactsPending });
  }

  /**
   * A worker's step result and transition, never over a cancel (the API may cancel at any moment).
   * False when the task was cancelled, so the worker stops instead of resurrecting it.
   */
  async advance(id: string, set: Partial<IngestTask>, state?: TaskState): Promise<boolean> {
    const update: Record<string, unknown> = { $set: state ? { ...set, state } : set };
    if (state) update.$push = { transitions: { state, at: new Date() } };
    const written = await this.unlessCancelled(id, update);
    if (state && written) await this.settle(id, { state, artifactsPending: set.artifactsPending });
    return written;
  }

  /**
   * Cancels the task if it is still active, reading its state and writing `cancelled` under its lock:
   * a worker writing `done` between a read and a write of the caller's would otherwise be overwritten.
   * Undefined when cancelled now, else the state the task was already in (null when it is gone).
   */
  async cancelIfActive(id: string): Promise<TaskState | null | undefined> {
    const refused = await this.locked(id, async () => {
      const current = await this.model.findById(id, { state: 1 }).lean<Pick<IngestTask, 'state'>>().exec();
      if (!current || !ACTIVE_STATES.includes(current.state)) return current?.state ?? null;
      await this.model.updateOne(
        { _id: id },
        { $set: { state: 'cancelled' }, $push: { transitions: { state: 'cancelled', at: new Date() } } },
      );
      return undefined;
    });
    if (refused === undefined) await this.settle(id, { state: 'cancelled' });
    return refused;
  }

  /**
   * Records results of several items (by position) and task fields in one write, never over a cancel.
   * An `undefined` value removes the field. False when the task was cancelled.
   */
  async recordItems(
    id: string,
    patches: ReadonlyMap<number, Partial<IngestItem>>,
    set: Partial<IngestTask> = {},
  ): Promise<boolean> {
    const $set: Record<string, unknown> = {};
    const $unset: Record<string, ''> = {};
    for (const [index, patch] of patches) {
      for (const [field, value] of Object.entries(patch)) {
        if (value === undefined) $unset[`items.${index}.${field}`] = '';
        else $set[`items.${index}.${field}`] = value;
      }
    }
    for (const [field, value] of Object.entries(set)) {
      if (value === undefined) $unset[field] = '';
      else $set[field] = value;
    }
    const update: Record<string, unknown> = {};
    if (Object.keys($set).length) update.$set = $set;
    if (Object.keys($unset).length) update.$unset = $unset;
    if (!update.$set && !update.$unset) return true;
    return this.unlessCancelled(id, update);
  }

  /**
   * A retry's reset of the failed items it runs again, written whatever the state: a cancelled task is
   * being retried, and `recordItems` refuses to write over a cancel.
   */
  async resetItems(id: string, indexes: readonly number[]): Promise<void> {
    if (indexes.length === 0) return;
    const $set = Object.fromEntries(indexes.map((index) => [`items.${index}.state`, 'pending']));
    const $unset = Object.fromEntries(indexes.map((index) => [`items.${index}.error`, '']));
    await this.locked(id, () => this.model.updateOne({ _id: id }, { $set, $unset }));
  }

  /** The stills and sample of a done task are made (or given up on): it needs no worker any more. */
  async artifactsFinished(id: string): Promise<void> {
    await this.locked(id, () => this.model.updateOne({ _id: id }, { $set: { artifactsPending: false } }));
    await this.active.deleteOne({ _id: id });
  }

  async incrementAttempts(id: string): Promise<void> {
    await this.locked(id, () => this.model.updateOne({ _id: id }, { $inc: { attempts: 1 } }));
  }

  /**
   * Runs `action` if the task needs no worker (or is gone), deciding and acting under the task's lock:
   * a retry puts the task back to `queued` under the same lock, so it lands either before the check
   * (and `action` does not run) or after `action` has finished — never between the two.
   * True when `action` ran.
   */
  whileNoWorkerNeeded(id: string, action: () => Promise<void>): Promise<boolean> {
    return this.locked(id, async () => {
      const task = await this.findById(id);
      if (task && needsWorker(task)) return false;
      await action();
      return true;
    });
  }

  /** Every task in flight, as the reconciler walks them. */
  inFlight(): Promise<ActiveTask[]> {
    return this.active.find().lean<ActiveTask[]>().exec();
  }

  inFlightEntry(id: string): Promise<ActiveTask | null> {
    return this.active.findById(id).lean<ActiveTask>().exec();
  }

  /** The worker running `id` is alive until `until` (a missing entry — a cancelled task — stays missing). */
  async renewLease(id: string, worker: string, until: Date): Promise<void> {
    await this.active.updateOne({ _id: id }, { $set: { worker, leaseUntil: until } });
  }

  /** Puts a task back in the in-flight set (a retry, or one found by the boot-time backfill). */
  async markInFlight(task: Pick<IngestTask, '_id' | 'sourceKey' | 'requester'>): Promise<void> {
    if (await this.active.exists({ _id: task._id })) return;
    await this.active
      .create({
        _id: task._id,
        sourceKey: task.sourceKey,
        requesterId: task.requester.id,
        createdAt: new Date(),
      })
      .catch((error: { code?: number }) => {
        if (error.code !== 11000) throw error; // added meanwhile by someone else: just as good
      });
  }

  async dropInFlight(id: string): Promise<void> {
    await this.active.deleteOne({ _id: id });
  }

  /**
   * Tasks needing a worker, found the slow way (a scan of every task): once per manager start, to
   * rebuild the in-flight set for tasks submitted before it existed or lost from it.
   */
  scanNeedingWorker(): Promise<IngestTask[]> {
    return this.model
      .find({ $or: [{ state: { $in: ACTIVE_STATES } }, { state: 'done', artifactsPending: true }] })
      .lean<IngestTask[]>()
      .exec();
  }

  /**
   * `update` unless the task is cancelled (or gone); false then. The state is read first, under the
   * task's lock, and the update filters on `_id` alone: FerretDB's SQLite backend answers a filter of
   * just `_id` inside SQLite, but decodes every document of the collection for any other filter
   * (`{_id, state: {$ne: ...}}` measured 5× slower than read-then-write with 100 tasks stored).
   */
  private unlessCancelled(id: string, update: Record<string, unknown>): Promise<boolean> {
    return this.locked(id, async () => {
      const current = await this.model.findById(id, { state: 1 }).lean<Pick<IngestTask, 'state'>>().exec();
      if (!current || current.state === 'cancelled') return false;
      await this.model.updateOne({ _id: id }, update);
      return true;
    });
  }

  /**
   * One write to a task at a time across processes (the Redis lock), and within this process one
   * waiter at a time: a pack's items record their results concurrently, and queueing them here is
   * far cheaper than letting each poll the Redis lock.
   */
  private locked<T>(id: string, write: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(id) ?? Promise.resolve();
    const next = previous.then(
      () => this.mutex.withLock(`ingest-task:${id}`, write),
      () => this.mutex.withLock(`ingest-task:${id}`, write),
    );
    const tail = next.catch(() => undefined);
    this.queues.set(id, tail);
    void tail.then(() => {
      if (this.queues.get(id) === tail) this.queues.delete(id);
    });
    return next;
  }

  private async settle(id: string, task: Pick<IngestTask, 'state' | 'artifactsPending'>): Promise<void> {
    if (!needsWorker(task)) await this.dropInFlight(id);
  }
}
