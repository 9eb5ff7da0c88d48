import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { type Queue } from 'bullmq';
import { JobName, QueueName } from '../../core/queue/queue-names.js';

const DRAIN_EVERY_MS = 60 * 1000;

/** Registers the library's recurring jobs with BullMQ (idempotent: every manager may do it at boot). */
@Injectable()
export class UpkeepSchedule implements OnApplicationBootstrap {
  constructor(@InjectQueue(QueueName.Library) private readonly queue: Queue) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.upsertJobScheduler(
      JobName.DrainDeletions,
      { every: DRAIN_EVERY_MS },
      { name: JobName.DrainDeletions, opts: { removeOnComplete: 100, removeOnFail: 100 } },
    );
  }
}
