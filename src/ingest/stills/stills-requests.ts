import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { type Queue } from 'bullmq';
import { type Types } from 'mongoose';
import { AppError } from '../../core/errors/app-error.js';
import { JobName, QueueName } from '../../core/queue/queue-names.js';
import { type StillsJobData, type StillsJobResult } from './stills.job.js';

/** A file's last stills run as the admin page shows it. */
export type StillsRun =
  | { state: 'none' }
  | { state: 'queued' | 'running' }
  | { state: 'done'; made: number; finishedAt: string }
  | { state: 'failed'; message: string; finishedAt: string };

/** Finished runs kept for their outcome (per file, the last one; across files, this many). */
const KEEP_FINISHED = 1000;

const QUEUED_STATES: ReadonlySet<string> = new Set(['waiting', 'delayed', 'prioritized', 'waiting-children']);

/**
 * Producer side of `regenerate-stills`: at most one run per file queued or running (its job id is the
 * file's), and the last run's outcome, read back from its job.
 */
@Injectable()
export class StillsRequests {
  constructor(@InjectQueue(QueueName.Media) private readonly queue: Queue<StillsJobData, StillsJobResult>) {}

  /** Queues a run; 409 while one is queued or running (a second would copy the whole file again). */
  async request(fileId: Types.ObjectId): Promise<StillsRun> {
    const jobId = jobIdOf(fileId);
    if (live(await this.queue.getJobState(jobId))) throw alreadyRunning();
    // The last run's finished job holds the id; a job added under a held id would be dropped.
    await this.queue.remove(jobId).catch(() => 0);
    await this.queue.add(
      JobName.RegenerateStills,
      { fileId: String(fileId) },
      { jobId, attempts: 1, removeOnComplete: KEEP_FINISHED, removeOnFail: KEEP_FINISHED },
    );
    return { state: 'queued' };
  }

  async last(fileId: Types.ObjectId): Promise<StillsRun> {
    // The state first, the job after: a job read first may be one that finished between the reads,
    // and would say "failed" without the reason it did not have yet.
    const state = await this.queue.getJobState(jobIdOf(fileId));
    if (state === 'unknown') return { state: 'none' };
    if (state !== 'completed' && state !== 'failed')
      return { state: state === 'active' ? 'running' : 'queued' };
    const job = await this.queue.getJob(jobIdOf(fileId));
    // Replaced by a new request between the reads: that one is queued.
    if (!job?.finishedOn) return { state: 'queued' };
    const finishedAt = new Date(job.finishedOn).toISOString();
    if (state === 'completed') return { state: 'done', made: job.returnvalue?.made ?? 0, finishedAt };
    return { state: 'failed', message: job.failedReason, finishedAt };
  }
}

function jobIdOf(fileId: Types.ObjectId): string {
  return `stills-${String(fileId)}`;
}

function live(state: string): boolean {
  return state === 'active' || QUEUED_STATES.has(state);
}

function alreadyRunning(): AppError {
  return new AppError(
    409,
    'already_running',
    'New screenshots of this file are already being made; this page shows when they are done.',
  );
}
