import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { type Queue } from 'bullmq';
import { type Types } from 'mongoose';
import { followUpJobId } from '../../core/queue/follow-up-job-id.js';
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
        jobId: await followUpJobId(this.queue, `enrich-${String(titleId)}`),
        attempts: ATTEMPTS,
        backoff: { type: 'exponential', delay: FIRST_RETRY_MS },
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
  }
}
