import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { TenantUsageService } from './tenant-usage.service.js';

/** How often the manager copies the Redis usage counters to Mongo (so a lost Redis loses at most this). */
const ARCHIVE_EVERY_MS = 60 * 60 * 1000;

/** Keeps `tenant_usage` in step with the streamers' Redis counters. */
@Injectable()
export class TenantUsageArchiver implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('franchise');
  private timer?: NodeJS.Timeout;

  constructor(private readonly usage: TenantUsageService) {}

  onModuleInit(): void {
    this.timer = setInterval(() => {
      this.usage.archive().catch((error: unknown) => {
        this.logger.warn(`cannot archive tenant usage: ${(error as Error).message}`);
      });
    }, ARCHIVE_EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }
}
