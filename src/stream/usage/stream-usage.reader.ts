import { Injectable } from '@nestjs/common';
import { RedisClient } from '../../core/redis/redis-client.js';
import { ACTIVE_STALE_MS, ACTIVE_STREAMS_KEY, bytesServedKey } from './stream-usage.keys.js';

export interface StreamUsage {
  /** Streams in progress over every live streamer. */
  active: number;
  /** Media bytes served since 00:00 UTC. */
  bytesToday: number;
}

/** Reads what the streamers publish (`StreamUsagePublisher`); forgets streamers that stopped writing. */
@Injectable()
export class StreamUsageReader {
  constructor(private readonly redis: RedisClient) {}

  async read(now = Date.now()): Promise<StreamUsage> {
    const [bytes, instances] = await Promise.all([
      this.redis.client.get(bytesServedKey(new Date(now))),
      this.redis.client.hgetall(ACTIVE_STREAMS_KEY),
    ]);
    let active = 0;
    const stale: string[] = [];
    for (const [instance, value] of Object.entries(instances)) {
      const [count, at] = value.split(':').map(Number);
      if (now - at > ACTIVE_STALE_MS) stale.push(instance);
      else active += count || 0;
    }
    if (stale.length > 0) await this.redis.client.hdel(ACTIVE_STREAMS_KEY, ...stale);
    return { active, bytesToday: Number(bytes ?? 0) };
  }
}
