import { Injectable } from '@nestjs/common';
import { RedisClient } from '../redis/redis-client.js';
import { HEARTBEAT_KEY_PREFIX, type InstanceHeartbeat } from './instance-heartbeat.js';

/** Reads the live heartbeats of every process of the install (managers, workers, streamers). */
@Injectable()
export class HeartbeatRepository {
  constructor(private readonly redis: RedisClient) {}

  async list(): Promise<InstanceHeartbeat[]> {
    // SCAN takes a full key pattern; ioredis's keyPrefix is not applied to it, but is to GET.
    const pattern = this.redis.key(`${HEARTBEAT_KEY_PREFIX}*`);
    const keys = new Set<string>();
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.client.scan(cursor, 'MATCH', pattern, 'COUNT', 200);
      for (const key of batch) keys.add(key);
      cursor = next;
    } while (cursor !== '0');
    if (keys.size === 0) return [];
    const prefix = this.redis.key('');
    const values = await this.redis.client.mget([...keys].map((key) => key.slice(prefix.length)));
    return values
      .filter((value): value is string => value !== null)
      .map((value) => JSON.parse(value) as InstanceHeartbeat)
      .sort((a, b) => a.instanceId.localeCompare(b.instanceId));
  }

  /** The live instances that run a given role. */
  async withRole(role: string): Promise<InstanceHeartbeat[]> {
    return (await this.list()).filter((instance) => instance.roles.includes(role));
  }
}
