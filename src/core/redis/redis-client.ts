import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';

/**
 * The app's general-purpose Redis connection. Keys are namespaced with REDIS_PREFIX so several
 * installs (or test runs) can share one server.
 */
@Injectable()
export class RedisClient implements OnApplicationShutdown {
  private readonly logger = new Logger('redis');
  readonly client: Redis;
  private lastError = '';

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.client = new Redis(config.redis.url, {
      keyPrefix: `${config.redis.prefix}:`,
      maxRetriesPerRequest: 1,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    this.client.on('error', (error: Error) => {
      // ioredis repeats the same error on every reconnect attempt; say it once.
      if (error.message !== this.lastError) this.logger.error(`Redis: ${error.message}`);
      this.lastError = error.message;
    });
    this.client.on('ready', () => {
      if (this.lastError) this.logger.log('Redis is reachable again');
      this.lastError = '';
    });
  }

  /** Prefix for keys built outside ioredis's keyPrefix (BullMQ, pub/sub channels). */
  key(...parts: string[]): string {
    return [this.config.redis.prefix, ...parts].join(':');
  }

  async ping(): Promise<void> {
    await this.client.ping();
  }

  async onApplicationShutdown(): Promise<void> {
    this.client.disconnect();
  }
}
