import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { type Queue } from 'bullmq';
import { type Types } from 'mongoose';
import { followUpJobId } from '../../core/queue/follow-up-job-id.js';
import { JobName, QueueName } from '../../core/queue/queue-names.js';
import { type ArtworkJobData } from './artwork.job.js';

/** Image hosts hiccup: a few retries over about an hour. */
const ATTEMPTS = 6;
const FIRST_RETRY_MS = 60 * 1000;

/** Producer side of `fetch-artwork`: after enrichment described a title. */
@Injectable()
export class ArtworkRequests {
  constructor(@InjectQueue(QueueName.Library) private readonly queue: Queue<ArtworkJobData>) {}

  async request(titleId: Types.ObjectId): Promise<void> {
    await this.queue.add(
      JobName.FetchArtwork,
      { titleId: String(titleId) },
      {
        jobId: await followUpJobId(this.queue, `artwork-${String(titleId)}`),
        attempts: ATTEMPTS,
        backoff: { type: 'exponential', delay: FIRST_RETRY_MS },
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
  }
}
