import { Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import { JobHandler } from '../../core/queue/job-handler.decorator.js';
import { JobName } from '../../core/queue/queue-names.js';
import { EnrichmentService } from './enrichment.service.js';

export interface EnrichJobData {
  titleId: string;
}

/** Worker side of `enrich`: a title that cannot be described yet throws, and BullMQ retries with backoff. */
@Injectable()
export class EnrichmentJob {
  constructor(private readonly enrichment: EnrichmentService) {}

  @JobHandler(JobName.Enrich)
  async run(data: EnrichJobData): Promise<void> {
    if (!Types.ObjectId.isValid(data.titleId)) return;
    await this.enrichment.enrich(new Types.ObjectId(data.titleId));
  }
}
