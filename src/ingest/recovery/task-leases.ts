import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../core/config/app-config.js';
import { INSTANCE_ID } from '../../core/heartbeat/instance-id.js';
import { IngestTaskRepository } from '../ingest-task.repository.js';

export interface HeldLease {
  release(): void;
}

/**
 * The worker side of crash and Redis-loss recovery: while a worker runs a task it keeps a lease on it
 * in MongoDB (the task's in-flight entry). The queue's own lock lives in Redis and vanishes with it; the
 * lease does not, so a manager can tell a task whose worker is still at it from one nobody runs.
 * It lasts QUEUE_STALLED_AFTER_MS, like the queue's lock (a worker silent that long is gone), and is
 * renewed every third of that.
 */
@Injectable()
export class TaskLeases {
  private readonly logger = new Logger('ingest');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tasks: IngestTaskRepository,
  ) {}

  private get leaseMs(): number {
    return this.config.queue.stalledAfterMs;
  }

  async hold(taskId: string): Promise<HeldLease> {
    await this.renew(taskId);
    const timer = setInterval(() => void this.renew(taskId), this.leaseMs / 3);
    timer.unref();
    return { release: () => clearInterval(timer) };
  }

  private async renew(taskId: string): Promise<void> {
    try {
      await this.tasks.renewLease(taskId, INSTANCE_ID, new Date(Date.now() + this.leaseMs));
    } catch (error) {
      // The database being away is seen everywhere else; the next renewal tries again.
      this.logger.warn(`task ${taskId}: lease not renewed: ${(error as Error).message}`);
    }
  }
}
