import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { RedisMutex } from '../../core/redis/redis-mutex.js';
import { TenantUsageService } from './tenant-usage.service.js';

/** How often the manager copies the Redis usage counters to Mongo (so a lost Redis loses at most this). */
const ARCHIVE_EVERY_MS = 60 * 60 * 1000;
/** The first archive after boot: soon, so managers restarted less than an hour apart still archive. */
export const FIRST_ARCHIVE_MS = 5_000;

/** Keeps `tenant_usage` in step with the streamers' Redis counters: one manager at a time. */
@Injectable()
export class TenantUsageArchiver implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('franchise');
  private first?: NodeJS.Timeout;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly usage: TenantUsageService,
    private readonly mutex: RedisMutex,
  ) {}

  onApplicationBootstrap(): void {
    this.first = setTimeout(() => void this.run(), FIRST_ARCHIVE_MS);
    this.timer = setInterval(() => void this.run(), ARCHIVE_EVERY_MS);
    this.first.unref();
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearTimeout(this.first);
    clearInterval(this.timer);
  }

  /** Archives unless another manager is archiving now (then it is done this round); true if it ran. */
  async run(): Promise<boolean> {
    try {
      const archived = async () => {
        await this.usage.archive();
        return true;
      };
      return (await this.mutex.ifFree('tenant-usage-archive', archived, ARCHIVE_EVERY_MS / 2)) ?? false;
    } catch (error) {
      this.logger.warn(`cannot archive tenant usage: ${(error as Error).message}`);
      return false;
    }
  }
}
