import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { type Queue } from 'bullmq';
import { type Types } from 'mongoose';
import { JobName, QueueName } from '../../core/queue/queue-names.js';
import { type EnrichJobData } from './enrichment.job.js';

/** Catalogues answer slowly and sometimes not at all: retry for about a day before giving up. */
const ATTEMPTS = 10;
const FIRST_RETRY_MS = 60 * 1000;

/** Producer side of `enrich`: after ingest files a title, and when an admin asks again. */
@Injectable()
export class EnrichmentRequests {
  constructor(@InjectQueue(QueueName.Library) private readonly queue: Queue<EnrichJobData>) {}

  async request(titleId: Types.ObjectId): Promise<void> {
    await this.queue.add(
      JobName.Enrich,
      { titleId: String(titleId) },
      {
        // One pending enrichment per title; finished jobs are dropped so a later request runs again.
        jobId: await this.pendingJobId(titleId),
        attempts: ATTEMPTS,
        backoff: { type: 'exponential', delay: FIRST_RETRY_MS },
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
  }

  /**
   * A run under way has already read the title, so a request arriving meanwhile (an admin edit, a new
   * file) would be swallowed by the id it still holds: queue one follow-up under a second id instead.
   */
  private async pendingJobId(titleId: Types.ObjectId): Promise<string> {
    const jobId = `enrich-${String(titleId)}`;
    const running = await this.queue.getJob(jobId);
    if (running !== undefined && (await running.getState()) === 'active') return `${jobId}-again`;
    return jobId;
  }
}
