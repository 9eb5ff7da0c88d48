import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../core/config/app-config.js';
import { RedisMutex } from '../../core/redis/redis-mutex.js';
import { ProgressService } from './progress.service.js';

const SWEEP_EVERY_MS = 3600 * 1000;

/**
 * Hourly, on one manager at a time: removes the progress of guests not seen for GUEST_PROGRESS_DAYS
 * (a guest cookie that was cleared never comes back, and nothing else would ever remove its data).
 */
@Injectable()
export class GuestProgressSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('site');
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly progress: ProgressService,
    private readonly mutex: RedisMutex,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async sweep(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.config.site.guestProgressDays * 24 * 3600 * 1000);
    try {
      const removed =
        (await this.mutex.ifFree(
          'sweep:guest-progress',
          () => this.progress.sweepGuests(cutoff),
          10 * 60 * 1000,
        )) ?? 0;
      if (removed > 0) this.logger.log(`swept the progress of ${removed} abandoned guests`);
      return removed;
    } catch (error) {
      this.logger.warn(`sweep of guest progress failed: ${(error as Error).message}`);
      return 0;
    }
  }
}
