import { Injectable } from '@nestjs/common';
import { type Model, Schema } from 'mongoose';
import { MongoConnection } from '../database/mongo-connection.js';
import { RedisClient } from '../redis/redis-client.js';

/** Per-day counters live this long in Redis; `tenant_usage` keeps them for good. */
const COUNTER_TTL_SECONDS = 45 * 24 * 3600;

/** A UTC day, `YYYY-MM-DD`. */
export function usageDay(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** The days of a UTC month (`YYYY-MM`). */
export function daysOfMonth(month: string): string[] {
  const [year, index] = month.split('-').map(Number);
  const count = new Date(Date.UTC(year, index, 0)).getUTCDate();
  return Array.from({ length: count }, (_, day) => `${month}-${String(day + 1).padStart(2, '0')}`);
}

/** A tenant's keys share one hash tag (`{<tenant id>}`), so a month's read is one MGET on a cluster too. */
const bytesKey = (tenantId: string, day: string) => `tenant-usage:{${tenantId}}:bytes:${day}`;
const streamsKey = (tenantId: string) => `tenant-usage:{${tenantId}}:streams`;

interface UsageDocument {
  _id: string;
  tenantId: string;
  day: string;
  bytes: number;
  updatedAt: Date;
}

const usageSchema = new Schema<UsageDocument>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    day: { type: String, required: true },
    bytes: { type: Number, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'tenant_usage', versionKey: false },
);

/**
 * Metering storage: bytes served per tenant per UTC day as Redis counters (INCRBY from every
 * streamer), copied to Mongo `tenant_usage` (`_id` = `<tenant>:<day>`) by the manager; streams in
 * progress per tenant as a hash of streamer instance → `<count>:<written at ms>`.
 */
@Injectable()
export class TenantUsageRepository {
  private readonly model: Model<UsageDocument>;

  constructor(
    private readonly redis: RedisClient,
    mongo: MongoConnection,
  ) {
    this.model = mongo.connection.model<UsageDocument>('TenantUsage', usageSchema);
  }

  /** Adds bytes to today's counters and records this instance's streams in progress, in one round trip. */
  async record(
    day: string,
    bytes: ReadonlyMap<string, number>,
    active: ReadonlyMap<string, number>,
    instance: string,
  ): Promise<void> {
    const batch = this.redis.client.multi();
    for (const [tenantId, count] of bytes) {
      if (count > 0)
        batch.incrby(bytesKey(tenantId, day), count).expire(bytesKey(tenantId, day), COUNTER_TTL_SECONDS);
    }
    for (const [tenantId, count] of active) {
      if (count > 0)
        batch
          .hset(streamsKey(tenantId), instance, `${count}:${Date.now()}`)
          .expire(streamsKey(tenantId), 3600);
      else batch.hdel(streamsKey(tenantId), instance);
    }
    await batch.exec();
  }

  /** Counts one comment on a tenant's site today; returns the day's count so far. */
  async countComment(tenantId: string, day: string): Promise<number> {
    const key = `tenant-usage:{${tenantId}}:comments:${day}`;
    const [[, count]] = (await this.redis.client
      .multi()
      .incr(key)
      .expire(key, 2 * 24 * 3600)
      .exec()) as [[unknown, number]];
    return Number(count);
  }

  /** Streams in progress for a tenant on other streamers (entries older than `staleMs` are gone ones). */
  async activeElsewhere(tenantId: string, instance: string, staleMs: number): Promise<number> {
    const entries = await this.redis.client.hgetall(streamsKey(tenantId));
    let total = 0;
    for (const [owner, value] of Object.entries(entries)) {
      const [count, at] = value.split(':').map(Number);
      if (owner !== instance && Date.now() - at < staleMs) total += count;
    }
    return total;
  }

  /** Bytes per day from the Redis counters (0 for days without any). */
  async countedBytes(tenantId: string, days: readonly string[]): Promise<Map<string, number>> {
    const values = await this.redis.client.mget(...days.map((day) => bytesKey(tenantId, day)));
    return new Map(days.map((day, index) => [day, Number(values[index] ?? 0)]));
  }

  /** Bytes per day as last copied to Mongo (one `_id` read each). */
  async archivedBytes(tenantId: string, days: readonly string[]): Promise<Map<string, number>> {
    const found = await this.model
      .find({ _id: { $in: days.map((day) => `${tenantId}:${day}`) } })
      .lean<UsageDocument[]>()
      .exec();
    return new Map(found.map((doc) => [doc.day, doc.bytes]));
  }

  /** Writes days' totals to Mongo (idempotent: the counter's value, not an increment). */
  async archive(tenantId: string, totals: ReadonlyMap<string, number>): Promise<void> {
    const now = new Date();
    for (const [day, bytes] of totals) {
      if (bytes === 0) continue;
      await this.model
        .updateOne(
          { _id: `${tenantId}:${day}` },
          { $set: { tenantId, day, bytes, updatedAt: now } },
          { upsert: true },
        )
        .exec();
    }
  }
}
