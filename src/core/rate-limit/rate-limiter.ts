import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { RedisClient } from '../redis/redis-client.js';

export interface RateLimitResult {
  allowed: boolean;
  remaining: number;
  /** Whole seconds until the next hit would be allowed (0 when allowed). */
  retryAfterSeconds: number;
}

// Sliding window log: one sorted-set member per hit, scored by time; atomic in Redis.
const SLIDING_WINDOW = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, limit - count - 1, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, 0, tonumber(oldest[2]) + window - now}
`;

/** Redis-backed sliding-window limiter shared by every role and process of an install. */
@Injectable()
export class RateLimiter {
  constructor(private readonly redis: RedisClient) {}

  async hit(bucket: string, limit: number, windowMs: number): Promise<RateLimitResult> {
    const [allowed, remaining, waitMs] = (await this.redis.client.eval(
      SLIDING_WINDOW,
      1,
      `ratelimit:${bucket}`,
      Date.now(),
      windowMs,
      limit,
      randomUUID(),
    )) as [number, number, number];
    return {
      allowed: allowed === 1,
      remaining,
      retryAfterSeconds: allowed === 1 ? 0 : Math.max(1, Math.ceil(waitMs / 1000)),
    };
  }
}
