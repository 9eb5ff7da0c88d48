import { randomUUID } from 'node:crypto';
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
/**
 * A random id set beside a tenant's counters when the first of them is written: a Redis that lost
 * them (a flush, a new server) gets a new one, so the archive can tell its counters restarted at 0.
 */
const epochKey = (tenantId: string) => `tenant-usage:{${tenantId}}:epoch`;
/** Streams in progress (TenantStreamSlots). */
export const streamSlotsKey = (tenantId: string) => `tenant-usage:{${tenantId}}:slots`;

interface UsageDocument {
  _id: string;
  tenantId: string;
  day: string;
  /** Everything archived for the day, over every life of the Redis counters. */
  bytes: number;
  /** The counter's epoch and value when last archived (absent in rows from before they were kept). */
  epoch?: string;
  seen?: number;
  updatedAt: Date;
}

/** A tenant's Redis day counters, read at once with their epoch. */
export interface CountedDays {
  epoch?: string;
  bytes: Map<string, number>;
}

/** A day as archived: its total, and the counter it last copied from. */
export interface ArchivedDay {
  bytes: number;
  epoch?: string;
  seen: number;
}

/**
 * What a day's counter holds that its archived row does not: the gain since the value last seen, or
 * all of it when the counter restarted (another epoch: a new Redis; or lower than seen: a reset).
 */
export function unarchivedBytes(archived: ArchivedDay, counted: number, epoch: string | undefined): number {
  const sameCounter = archived.epoch === undefined || epoch === undefined || archived.epoch === epoch;
  return sameCounter && counted >= archived.seen ? counted - archived.seen : counted;
}

/** A day's bytes served: what was archived plus what was counted since (the counter alone if never archived). */
export function dayBytes(
  archived: ArchivedDay | undefined,
  counted: number,
  epoch: string | undefined,
): number {
  return archived ? archived.bytes + unarchivedBytes(archived, counted, epoch) : counted;
}

/** The bytes of `days`, each as `dayBytes`. */
export function totalBytes(
  days: readonly string[],
  archived: ReadonlyMap<string, ArchivedDay>,
  counted: CountedDays,
): number {
  return days.reduce(
    (sum, day) => sum + dayBytes(archived.get(day), counted.bytes.get(day) ?? 0, counted.epoch),
    0,
  );
}

const usageSchema = new Schema<UsageDocument>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    day: { type: String, required: true },
    bytes: { type: Number, required: true },
    epoch: { type: String },
    seen: { type: Number },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'tenant_usage', versionKey: false },
);

/**
 * Metering storage: bytes served per tenant per UTC day as Redis counters (INCRBY from every
 * streamer), added to Mongo `tenant_usage` (`_id` = `<tenant>:<day>`) by the manager, and comments
 * per day. A day's total is its archived bytes plus what its counter gained since (`dayBytes`), so a
 * lost Redis loses only what was counted after the last archive.
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
      batch
        .set(epochKey(tenantId), randomUUID(), 'EX', COUNTER_TTL_SECONDS, 'NX')
        .expire(epochKey(tenantId), COUNTER_TTL_SECONDS)
        .incrby(bytesKey(tenantId, day), count)
        .expire(bytesKey(tenantId, day), COUNTER_TTL_SECONDS);
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
    return (await this.counted(tenantId, days)).bytes;
  }

  /**
   * The Redis counters of `days` and their epoch, in one read. `mark` gives counters written before
   * epochs existed one, so what is archived from them is recognised after a Redis loss too.
   */
  async counted(tenantId: string, days: readonly string[], mark = false): Promise<CountedDays> {
    const keys = [epochKey(tenantId), ...days.map((day) => bytesKey(tenantId, day))];
    let values: (string | null)[];
    if (mark) {
      const results = (await this.redis.client
        .multi()
        .set(epochKey(tenantId), randomUUID(), 'EX', COUNTER_TTL_SECONDS, 'NX')
        .mget(...keys)
        .exec()) as [unknown, unknown][];
      values = results[1][1] as (string | null)[];
    } else {
      values = await this.redis.client.mget(...keys);
    }
    const [epoch, ...counters] = values;
    return {
      epoch: epoch ?? undefined,
      bytes: new Map(days.map((day, index) => [day, Number(counters[index] ?? 0)])),
    };
  }

  /** Bytes per day as archived in Mongo. */
  async archivedBytes(tenantId: string, days: readonly string[]): Promise<Map<string, number>> {
    const archived = await this.archived(tenantId, days);
    return new Map([...archived].map(([day, { bytes }]) => [day, bytes]));
  }

  /** Days as archived in Mongo (one `_id` read each). */
  async archived(tenantId: string, days: readonly string[]): Promise<Map<string, ArchivedDay>> {
    const found = await this.model
      .find({ _id: { $in: days.map((day) => `${tenantId}:${day}`) } })
      .lean<UsageDocument[]>()
      .exec();
    return new Map(
      found.map((doc) => [doc.day, { bytes: doc.bytes, epoch: doc.epoch, seen: doc.seen ?? doc.bytes }]),
    );
  }

  /**
   * Adds to each day's row what its counter gained since the last archive (all of it after a restart),
   * and remembers the counter's epoch and value. Never lowers a row; running again adds nothing. Runs
   * one at a time (TenantUsageArchiver's lock): FerretDB applies the filtered update as a separate
   * read and write. Never beside `purge` of the same tenant (the caller holds the tenant's lock): rows
   * written from counters read before the purge would outlive it.
   */
  async archive(tenantId: string, days: readonly string[]): Promise<void> {
    const [counted, archived] = await Promise.all([
      this.counted(tenantId, days, true),
      this.archived(tenantId, days),
    ]);
    const updatedAt = new Date();
    for (const day of days) {
      const seen = counted.bytes.get(day) ?? 0;
      const row = archived.get(day);
      const added = row ? unarchivedBytes(row, seen, counted.epoch) : seen;
      if (added === 0) continue;
      const _id = `${tenantId}:${day}`;
      const marker = { epoch: counted.epoch, seen, updatedAt };
      if (row) {
        // Filtered on the total read: an archive that ran in between is not added to twice.
        await this.model
          .updateOne({ _id, bytes: row.bytes }, { $inc: { bytes: added }, $set: marker })
          .exec();
      } else {
        await this.model
          .updateOne({ _id }, { $max: { bytes: seen }, $set: { tenantId, day, ...marker } }, { upsert: true })
          .exec();
      }
    }
  }

  /**
   * Removes everything metered for a tenant (it is being purged): its `tenant_usage` rows, and its
   * Redis counters and stream slots (named, not scanned for: every day a counter can still live).
   */
  async purge(tenantId: string, now = new Date()): Promise<void> {
    const dayOffset = (offset: number) => usageDay(new Date(now.getTime() + offset * 86_400_000));
    const keys = [streamSlotsKey(tenantId), epochKey(tenantId), `tenant-usage:{${tenantId}}:streams`];
    for (let offset = -(COUNTER_TTL_SECONDS / 86_400 + 2); offset <= 1; offset++) {
      keys.push(bytesKey(tenantId, dayOffset(offset)));
    }
    for (let offset = -(COMMENT_COUNTER_TTL_SECONDS / 86_400 + 1); offset <= 1; offset++) {
      keys.push(commentsKey(tenantId, dayOffset(offset)));
    }
    await this.redis.client.del(...keys);
    // The caller holds the tenant's lock, which the archive takes too: none is running meanwhile.
    await this.model.deleteMany({ tenantId }).exec();
  }
}
