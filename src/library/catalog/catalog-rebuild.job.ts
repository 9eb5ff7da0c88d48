import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { type Queue } from 'bullmq';
import { JobHandler } from '../../core/queue/job-handler.decorator.js';
import { JobName, QueueName } from '../../core/queue/queue-names.js';
import { CatalogRebuilder } from './catalog-rebuilder.js';

/** Worker side of `rebuild-catalog`. */
@Injectable()
export class CatalogRebuildJob {
  constructor(private readonly rebuilder: CatalogRebuilder) {}

  @JobHandler(JobName.RebuildCatalog)
  async run(): Promise<void> {
    await this.rebuilder.rebuild('requested by an admin');
  }
}

/** Producer side: one pending rebuild at a time; a request while one is queued is the same request. */
@Injectable()
export class CatalogRebuildRequests {
  constructor(@InjectQueue(QueueName.Library) private readonly queue: Queue) {}

  async request(): Promise<void> {
    await this.queue.add(
      JobName.RebuildCatalog,
      {},
      { jobId: 'rebuild-catalog', removeOnComplete: true, removeOnFail: true },
    );
  }
}
