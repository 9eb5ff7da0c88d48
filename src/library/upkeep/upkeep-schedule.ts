import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { type Queue } from 'bullmq';
import { JobName, QueueName } from '../../core/queue/queue-names.js';

const DRAIN_EVERY_MS = 60 * 1000;
const SWEEP_ARTWORK_EVERY_MS = 24 * 3600 * 1000;
/** Schedules live in Redis: registering them again this often brings them back after Redis is lost. */
const REGISTER_EVERY_MS = 60 * 1000;

/** Registers the library's recurring jobs with BullMQ (idempotent: every manager does it). */
@Injectable()
export class UpkeepSchedule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('library');
  private timer?: NodeJS.Timeout;

  constructor(@InjectQueue(QueueName.Library) private readonly queue: Queue) {}

  /**
   * Not awaited: with Redis unreachable BullMQ's call waits for it (its connection retries for ever),
   * and a manager must still boot and answer 503 on /healthz meanwhile. The timer tries again.
   */
  onApplicationBootstrap(): void {
    void this.registerOrWarn();
    this.timer = setInterval(() => void this.registerOrWarn(), REGISTER_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async registerOrWarn(): Promise<void> {
    try {
      await this.register();
    } catch (error) {
      this.logger.warn(`upkeep schedule not registered: ${(error as Error).message}`);
    }
  }

  private async register(): Promise<void> {
    await this.queue.upsertJobScheduler(
      JobName.DrainDeletions,
      { every: DRAIN_EVERY_MS },
      { name: JobName.DrainDeletions, opts: { removeOnComplete: 100, removeOnFail: 100 } },
    );
    await this.queue.upsertJobScheduler(
      JobName.SweepArtwork,
      { every: SWEEP_ARTWORK_EVERY_MS },
      { name: JobName.SweepArtwork, opts: { removeOnComplete: 10, removeOnFail: 10 } },
    );
  }
}
