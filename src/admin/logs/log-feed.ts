import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { LOG_CHANNEL, LOG_HISTORY_KEY } from '../../core/logging/log-broadcaster.js';
import { type LiveLogLine } from '../../core/logging/log-line.js';
import { RedisClient } from '../../core/redis/redis-client.js';
import { RedisJsonChannel } from '../../core/redis/redis-json-channel.js';

/**
 * The reading side of the live log: the recent history from the Redis stream, then every new line
 * from pub/sub. One subscriber connection per process, fanned out to the open log views.
 */
@Injectable()
export class LogFeed implements OnModuleDestroy {
  private readonly live: RedisJsonChannel<LiveLogLine>;

  constructor(private readonly redis: RedisClient) {
    // Connection errors are not logged: each log line would come back through this feed.
    this.live = new RedisJsonChannel<LiveLogLine>(redis, LOG_CHANNEL, {
      logger: new Logger('logs'),
      quietErrors: true,
    });
  }

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
  subscribe(listener: (line: LiveLogLine) => void): Promise<() => void> {
    return this.live.subscribe(listener);
  }

  onModuleDestroy(): void {
    this.live.close();
  }
}
