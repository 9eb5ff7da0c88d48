import { Injectable } from '@nestjs/common';
import { RedisClient } from '../../../core/redis/redis-client.js';
import { utcDay } from './ad-event.js';

/** Redis keeps a day's counters this long; the flusher copies them to Mongo well before. */
export const COUNTER_DAYS_KEPT = 8;
const OWNERS_KEY = 'ads:owners';

/** Every UTC day Redis may hold counters of (today, the days kept, and tomorrow for a clock ahead). */
export function counterDays(now = Date.now()): string[] {
  return Array.from({ length: COUNTER_DAYS_KEPT + 2 }, (_, back) =>
    utcDay(new Date(now - (back - 1) * 86_400_000)),
  );
}

/**
 * Per owner per UTC day ad counters in Redis (one hash, HINCRBY: atomic across managers). Keys carry
 * the owner as a hash tag (`ads:{owner}:…`), so a Redis Cluster keeps one owner's keys on one slot.
 */
@Injectable()
export class AdCountersRepository {
  constructor(private readonly redis: RedisClient) {}

  private eventsKey(owner: string, day: string): string {
    return `ads:{${owner}}:events:${day}`;
  }

  private capKey(owner: string, identityId: string): string {
    return `ads:{${owner}}:cap:${identityId}`;
  }

  private reportedKey(owner: string, servingId: string, ad: number, event: string): string {
    return `ads:{${owner}}:reported:${servingId}:${ad}:${event}`;
  }

  async count(owner: string, day: string, field: string): Promise<void> {
    const key = this.eventsKey(owner, day);
    await this.redis.client
      .multi()
      .hincrby(key, field, 1)
      .expire(key, COUNTER_DAYS_KEPT * 86_400)
      .sadd(OWNERS_KEY, owner)
      .exec();
  }

  async day(owner: string, day: string): Promise<Record<string, number>> {
    const raw = await this.redis.client.hgetall(this.eventsKey(owner, day));
    return Object.fromEntries(Object.entries(raw).map(([field, value]) => [field, Number(value)]));
  }

  owners(): Promise<string[]> {
    return this.redis.client.smembers(OWNERS_KEY);
  }

  /**
   * Removes an owner's day counters (every day Redis can still hold) and its entry in the owners list.
   * Frequency caps, reported-event marks and cached short links are left to expire (at most hours).
   */
  async forgetOwner(owner: string, days: readonly string[]): Promise<void> {
    await this.redis.client.del(...days.map((day) => this.eventsKey(owner, day)));
    await this.redis.client.srem(OWNERS_KEY, owner);
  }

  /** Starts the identity's frequency-cap window (a pre-roll was seen). */
  async startCap(owner: string, identityId: string, minutes: number): Promise<void> {
    await this.redis.client.set(this.capKey(owner, identityId), '1', 'PX', minutes * 60_000);
  }

  /**
   * True the first time one served ad reports `event` (SET NX: atomic across managers), false on every
   * replay. The mark lives as long as the serving's token can still be presented.
   */
  async firstReport(
    owner: string,
    servingId: string,
    ad: number,
    event: string,
    ttlMs: number,
  ): Promise<boolean> {
    const key = this.reportedKey(owner, servingId, ad, event);
    return (await this.redis.client.set(key, '1', 'PX', Math.max(1, ttlMs), 'NX')) === 'OK';
  }

  async capped(owner: string, identityId: string): Promise<boolean> {
    return (await this.redis.client.exists(this.capKey(owner, identityId))) === 1;
  }
}
