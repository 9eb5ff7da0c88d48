import { Injectable } from '@nestjs/common';
import { IngestQueue } from '../queue/ingest-queue.js';
import { IngestTaskRepository, needsWorker } from '../ingest-task.repository.js';
import { type ActiveTask } from '../schemas/active-task.schema.js';
import { type IngestTask } from '../schemas/ingest-task.schema.js';

/**
 * A task is stuck when it still needs a worker, no job for it is waiting or running in the queue, and
 * no worker holds a live lease on it: the queue lost it (Redis flushed or replaced) and nobody is
 * working on it. Only then may it be queued again, by the reconciler or by a user's retry — queueing a
 * task a living worker still runs would run it twice.
 */
@Injectable()
export class StuckTasks {
  constructor(
    private readonly tasks: IngestTaskRepository,
    private readonly queue: IngestQueue,
  ) {}

  async isStuck(task: IngestTask, entry?: ActiveTask | null, now = Date.now()): Promise<boolean> {
    if (!needsWorker(task)) return false;
    const lease = entry === undefined ? await this.tasks.inFlightEntry(task._id) : entry;
    if (lease?.leaseUntil && new Date(lease.leaseUntil).getTime() > now) return false;
    return !(await this.queue.hasLiveJob(task._id));
  }
}
