import { Injectable } from '@nestjs/common';
import { type Redis } from 'ioredis';
import { RedisClient } from '../redis/redis-client.js';
import { streamSlotsKey } from './tenant-usage.repository.js';

/** Redis's own clock in ms, so streamers whose clocks differ agree on when a lease ends. */
const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** KEYS[1] the tenant's slots; ARGV: limit, holder, lease ms. 1 taken, 0 none free. */
const TAKE_SCRIPT = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1`;

/** KEYS[1] the tenant's slots; ARGV: lease ms, holders... Extends the holders' leases that have not ended. */
const RENEW_SCRIPT = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local expires = now + tonumber(ARGV[1])
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', expires, ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]))
return 1`;

interface SlotCommands {
  tenantSlotTake(key: string, limit: number, holder: string, leaseMs: number): Promise<number>;
  tenantSlotRenew(key: string, leaseMs: number, ...holders: string[]): Promise<number>;
}

/**
 * A tenant's concurrent-stream slots, shared by every streamer: a sorted set of holders (one per
 * stream in progress) scored by when their lease ends. Taking a slot is one Lua script (drop ended
 * leases, count, add), so a burst of simultaneous streams can never take more than the quota; a
 * streamer renews its holders' leases while their streams run, so a crashed streamer's slots free
 * themselves when their leases end.
 */
@Injectable()
export class TenantStreamSlots {
  private readonly client: Redis & SlotCommands;

  constructor(redis: RedisClient) {
    this.client = redis.client as Redis & SlotCommands;
    this.client.defineCommand('tenantSlotTake', { numberOfKeys: 1, lua: TAKE_SCRIPT });
    this.client.defineCommand('tenantSlotRenew', { numberOfKeys: 1, lua: RENEW_SCRIPT });
  }

  /** Takes one of the tenant's `limit` slots for `holder` (a unique id); false when all are held. */
  async take(tenantId: string, limit: number, holder: string, leaseMs: number): Promise<boolean> {
    return (await this.client.tenantSlotTake(streamSlotsKey(tenantId), limit, holder, leaseMs)) === 1;
  }

  /** Extends the leases of slots still held (a holder whose lease has ended is not given a slot back). */
  async renew(tenantId: string, holders: readonly string[], leaseMs: number): Promise<void> {
    if (holders.length > 0) await this.client.tenantSlotRenew(streamSlotsKey(tenantId), leaseMs, ...holders);
  }

  async release(tenantId: string, holder: string): Promise<void> {
    await this.client.zrem(streamSlotsKey(tenantId), holder);
  }

  /** Slots whose lease has not ended (the usage page, tests). */
  async held(tenantId: string): Promise<number> {
    const [seconds, micros] = await this.client.time();
    return this.client.zcount(
      streamSlotsKey(tenantId),
      `(${Number(seconds) * 1000 + Math.floor(Number(micros) / 1000)}`,
      '+inf',
    );
  }
}
