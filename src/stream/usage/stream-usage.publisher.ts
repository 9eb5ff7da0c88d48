import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { RedisClient } from '../../core/redis/redis-client.js';
import { ACTIVE_STREAMS_KEY, bytesServedKey, USAGE_FLUSH_MS } from './stream-usage.keys.js';

/**
 * Publishes this streamer's usage to Redis for the admin dashboard (streamers are separate
 * processes): bytes served added to a per-day counter, and its count of streams in progress. Counted
 * in memory and written every `USAGE_FLUSH_MS`, so a busy stream costs no Redis call per chunk.
 */
@Injectable()
export class StreamUsagePublisher implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('stream');
  private readonly instance = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private active = 0;
  private unsentBytes = 0;
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;

  constructor(private readonly redis: RedisClient) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), USAGE_FLUSH_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.flushing;
    await this.flush();
    await this.redis.client.hdel(ACTIVE_STREAMS_KEY, this.instance).catch(() => undefined);
  }

  started(): void {
    this.active++;
  }

  ended(): void {
    this.active = Math.max(0, this.active - 1);
  }

  served(bytes: number): void {
    this.unsentBytes += bytes;
  }

  flush(): Promise<void> {
    this.flushing ??= this.write().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async write(): Promise<void> {
    const bytes = this.unsentBytes;
    this.unsentBytes = 0;
    const key = bytesServedKey();
    const batch = this.redis.client.multi();
    if (bytes > 0) batch.incrby(key, bytes).expire(key, 3 * 24 * 3600);
    batch.hset(ACTIVE_STREAMS_KEY, this.instance, `${this.active}:${Date.now()}`);
    try {
      await batch.exec();
    } catch (error) {
      this.unsentBytes += bytes; // counted next time
      this.logger.warn(`cannot publish stream usage: ${(error as Error).message}`);
    }
  }
}
