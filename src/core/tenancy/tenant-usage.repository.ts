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

/** How long the comments-per-day counters live. */
const COMMENT_COUNTER_TTL_SECONDS = 2 * 24 * 3600;

/** A tenant's keys share one hash tag (`{<tenant id>}`), so a month's read is one MGET on a cluster too. */
const bytesKey = (tenantId: string, day: string) => `tenant-usage:{${tenantId}}:bytes:${day}`;
const commentsKey = (tenantId: string, day: string) => `tenant-usage:{${tenantId}}:comments:${day}`;
/** Streams in progress (TenantStreamSlots). */
export const streamSlotsKey = (tenantId: string) => `tenant-usage:{${tenantId}}:slots`;

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
 * streamer), copied to Mongo `tenant_usage` (`_id` = `<tenant>:<day>`) by the manager, and comments
 * per day.
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

  /** Adds bytes to the day's counters, in one round trip. */
  async record(day: string, bytes: ReadonlyMap<string, number>): Promise<void> {
    const batch = this.redis.client.multi();
    let empty = true;
    for (const [tenantId, count] of bytes) {
      if (count <= 0) continue;
      batch.incrby(bytesKey(tenantId, day), count).expire(bytesKey(tenantId, day), COUNTER_TTL_SECONDS);
      empty = false;
    }
    if (!empty) await batch.exec();
  }

  /** Counts one comment on a tenant's site today; returns the day's count so far. */
  async countComment(tenantId: string, day: string): Promise<number> {
    const key = commentsKey(tenantId, day);
    const [[, count]] = (await this.redis.client
      .multi()
      .incr(key)
      .expire(key, COMMENT_COUNTER_TTL_SECONDS)
      .exec()) as [[unknown, number]];
    return Number(count);
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

  /**
   * Removes everything metered for a tenant (it is being purged): its `tenant_usage` rows, and its
   * Redis counters and stream slots (named, not scanned for: every day a counter can still live).
   */
  async purge(tenantId: string, now = new Date()): Promise<void> {
    const dayOffset = (offset: number) => usageDay(new Date(now.getTime() + offset * 86_400_000));
    const keys = [streamSlotsKey(tenantId), `tenant-usage:{${tenantId}}:streams`];
    for (let offset = -(COUNTER_TTL_SECONDS / 86_400 + 2); offset <= 1; offset++) {
      keys.push(bytesKey(tenantId, dayOffset(offset)));
    }
    for (let offset = -(COMMENT_COUNTER_TTL_SECONDS / 86_400 + 1); offset <= 1; offset++) {
      keys.push(commentsKey(tenantId, dayOffset(offset)));
    }
    await this.redis.client.del(...keys);
    // After the counters: an hourly archive running meanwhile finds nothing left to copy back.
    await this.model.deleteMany({ tenantId }).exec();
  }
}
