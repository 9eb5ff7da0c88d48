import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { type Redis } from 'ioredis';
import { LOG_CHANNEL, LOG_HISTORY_KEY } from '../../core/logging/log-broadcaster.js';
import { type LiveLogLine } from '../../core/logging/log-line.js';
import { RedisClient } from '../../core/redis/redis-client.js';

type Listener = (line: LiveLogLine) => void;

/**
 * The reading side of the live log: the recent history from the Redis stream, then every new line
 * from pub/sub. One subscriber connection per process, fanned out to the open log views.
 */
@Injectable()
export class LogFeed implements OnModuleDestroy {
  private readonly listeners = new Set<Listener>();
  private subscriber?: Promise<Redis>;

  constructor(private readonly redis: RedisClient) {}

  /** The last `count` lines, oldest first. */
  async history(count: number): Promise<LiveLogLine[]> {
    const entries = await this.redis.client.xrevrange(LOG_HISTORY_KEY, '+', '-', 'COUNT', count);
    return entries.reverse().flatMap(([, fields]) => {
      const json = fields[fields.indexOf('line') + 1];
      try {
        return json ? [JSON.parse(json) as LiveLogLine] : [];
      } catch {
        return [];
      }
    });
  }

  /** Calls `listener` with each new line until the returned function is called. */
  async subscribe(listener: Listener): Promise<() => void> {
    await this.connect();
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private connect(): Promise<Redis> {
    this.subscriber ??= (async () => {
      const subscriber = this.redis.client.duplicate({ keyPrefix: '' });
      subscriber.on('message', (_channel: string, json: string) => {
        let line: LiveLogLine;
        try {
          line = JSON.parse(json) as LiveLogLine;
        } catch {
          return;
        }
        for (const listener of this.listeners) listener(line);
      });
      // Errors here must not be logged: each log line would come back through this feed.
      subscriber.on('error', () => undefined);
      await subscriber.subscribe(this.redis.key(...LOG_CHANNEL));
      return subscriber;
    })();
    return this.subscriber;
  }

  async onModuleDestroy(): Promise<void> {
    this.listeners.clear();
    if (this.subscriber) (await this.subscriber).disconnect();
  }
}
