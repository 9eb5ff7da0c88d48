import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { type Queue } from 'bullmq';
import { JobName, QueueName } from '../../core/queue/queue-names.js';

export interface IngestJobData {
  taskId: string;
}

/** Runs of one task a job makes before BullMQ records it failed (each resumes the last run's work). */
const JOB_ATTEMPTS = 3;

/** States in which a job is still going to run, or running. */
const LIVE_JOB_STATES: ReadonlySet<string> = new Set([
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'waiting-children',
]);

/** The ingest queue: one job per task, its id the task id (so adding it twice adds it once). */
@Injectable()
export class IngestQueue {
  constructor(@InjectQueue(QueueName.Ingest) private readonly queue: Queue<IngestJobData>) {}

  async enqueue(taskId: string): Promise<void> {
    await this.queue.add(
      JobName.Ingest,
      { taskId },
      {
        jobId: taskId,
        attempts: JOB_ATTEMPTS,
        backoff: { type: 'exponential', delay: 5000 },
        removeOnComplete: 1000,
        removeOnFail: 1000,
      },
    );
  }

  /** Drops the task's job (a running one is locked and stays; its worker is told to stop otherwise). */
  async remove(taskId: string): Promise<void> {
    await this.queue.remove(taskId).catch(() => 0);
  }

  /** A fresh job for a task whose old one is finished, failed or gone. */
  async requeue(taskId: string): Promise<void> {
    await this.remove(taskId);
    await this.enqueue(taskId);
  }

  /** Whether a job for the task is waiting, delayed or running (a completed, failed or missing one is not). */
  async hasLiveJob(taskId: string): Promise<boolean> {
    return LIVE_JOB_STATES.has(await this.queue.getJobState(taskId));
  }
}
