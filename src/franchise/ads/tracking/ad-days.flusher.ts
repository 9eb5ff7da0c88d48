import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { RedisMutex } from '../../../core/redis/redis-mutex.js';
import { AdStatsService } from './ad-stats.service.js';

/** Often enough that Mongo's copy of today is never far behind; only one manager a round does it. */
export const FLUSH_EVERY_MS = 10 * 60_000;

/** Copies the Redis ad counters to Mongo (`ad_events`) on every manager's timer, one at a time. */
@Injectable()
export class AdDaysFlusher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ads');
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly stats: AdStatsService,
    private readonly mutex: RedisMutex,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.run(), FLUSH_EVERY_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
  }

  async run(): Promise<void> {
    try {
      // Renewed while it runs: an overlapping flush could put an older copy over a newer one.
      await this.mutex.ifFree('ads-flush', () => this.stats.flush(), FLUSH_EVERY_MS / 2, { renew: true });
    } catch (error) {
      this.logger.warn(`ad counters not copied to Mongo: ${(error as Error).message}`);
    }
  }
}
