import { Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import { JobHandler } from '../../core/queue/job-handler.decorator.js';
import { JobName } from '../../core/queue/queue-names.js';
import { ArtworkCollector } from './artwork-collector.js';

export interface ArtworkJobData {
  titleId: string;
}

/** Worker side of `fetch-artwork`; a host that was down makes it throw, and BullMQ retries. */
@Injectable()
export class ArtworkJob {
  constructor(private readonly collector: ArtworkCollector) {}

  @JobHandler(JobName.FetchArtwork)
  async run(data: ArtworkJobData): Promise<void> {
    if (!Types.ObjectId.isValid(data.titleId)) return;
    await this.collector.collect(new Types.ObjectId(data.titleId));
  }
}
