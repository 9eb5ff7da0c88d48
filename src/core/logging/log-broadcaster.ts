import { INSTANCE_ID } from '../heartbeat/instance-id.js';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { type Logger } from 'pino';
import { RedisClient } from '../redis/redis-client.js';
import { type LiveLogLine, toLiveLogLine } from './log-line.js';
import { logTapOf } from './log-tap.js';
import { ROOT_LOGGER } from './logging.module.js';

/** Redis stream (under the key prefix) holding the recent lines of every process. */
export const LOG_HISTORY_KEY = 'logs:history';
/** Lines kept in the history stream (approximately: trimmed with `MAXLEN ~`). */
export const LOG_HISTORY_LENGTH = 2000;
/** Pub/sub channel (name built with `RedisClient.key`) carrying each line as it is logged. */
export const LOG_CHANNEL = ['logs', 'live'] as const;

/** Lines per second each process may broadcast on average, and the burst above that. */
const RATE_PER_SECOND = 100;
const BURST = 300;
const FLUSH_EVERY_MS = 250;

/**
 * Publishes this process's log lines to Redis for the panel's live log view: each line on pub/sub,
 * and into a capped stream for the history a new viewer starts with. A token bucket bounds the rate; a
 * flood is summarised as one "dropped N lines" warning. Redis trouble never reaches the logger (no
 * feedback loop): failed batches are dropped.
 */
@Injectable()
export class LogBroadcaster implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly instance = INSTANCE_ID;
  private pending: LiveLogLine[] = [];
  private tokens = BURST;
  private refilledAt = Date.now();
  private dropped = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    private readonly redis: RedisClient,
  ) {}

  onApplicationBootstrap(): void {
    const tap = logTapOf(this.logger);
    if (!tap) return;
    tap.attach((json) => this.accept(json));
    this.timer = setInterval(() => void this.flush(), FLUSH_EVERY_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    logTapOf(this.logger)?.detach();
    clearInterval(this.timer);
    await this.flush();
  }

  private accept(json: string): void {
    const now = Date.now();
    this.tokens = Math.min(BURST, this.tokens + ((now - this.refilledAt) / 1000) * RATE_PER_SECOND);
    this.refilledAt = now;
    if (this.tokens < 1) {
      this.dropped++;
      return;
    }
    const line = toLiveLogLine(json, this.instance);
    if (!line) return;
    this.tokens--;
    this.pending.push(line);
  }

  private async flush(): Promise<void> {
    if (this.dropped > 0 && this.tokens >= 1) {
      this.pending.push({
        time: new Date().toISOString(),
        level: 'warn',
        role: this.pending[0]?.role ?? '',
        instance: this.instance,
        msg: `live log: dropped ${this.dropped} line(s) over ${RATE_PER_SECOND}/s`,
        context: 'logging',
      });
      this.dropped = 0;
    }
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const channel = this.redis.key(...LOG_CHANNEL);
    const pipeline = this.redis.client.pipeline();
    for (const line of batch) {
      const json = JSON.stringify(line);
      pipeline.xadd(LOG_HISTORY_KEY, 'MAXLEN', '~', LOG_HISTORY_LENGTH, '*', 'line', json);
      pipeline.publish(channel, json);
    }
    await pipeline.exec().catch(() => undefined);
  }
}
