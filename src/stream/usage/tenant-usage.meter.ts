import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { AppError } from '../../core/errors/app-error.js';
import { TenantStreamSlots } from '../../core/tenancy/tenant-stream-slots.js';
import {
  type ArchivedDay,
  daysOfMonth,
  TenantUsageRepository,
  totalBytes,
  usageDay,
} from '../../core/tenancy/tenant-usage.repository.js';
import { type Tenant } from '../../core/tenancy/tenant.js';
import { ACTIVE_STALE_MS, USAGE_FLUSH_MS } from './stream-usage.keys.js';

const GIB = 1024 ** 3;
/** How long a tenant's month total is trusted before it is read again (the quota check's cost). */
const MONTH_CACHE_MS = 5_000;
/**
 * How long a tenant's archived days are trusted: the archive adds to them hourly, and a stale copy
 * still adds up right beside fresher counters (it holds the counter value it was taken from).
 */
const ARCHIVED_CACHE_MS = 60_000;
/** A stream slot's lease; renewed every USAGE_FLUSH_MS while its stream runs, so only a crash lets one end. */
export const STREAM_SLOT_LEASE_MS = ACTIVE_STALE_MS;

/** Called when an admitted stream ends (once is enough; more is harmless). */
export type StreamRelease = () => void;

const NOTHING_TO_RELEASE: StreamRelease = () => undefined;

/**
 * Franchise metering on the streamer: bytes served per tenant, counted in memory and written to Redis
 * every USAGE_FLUSH_MS (atomic INCRBY; no database write on the stream path), and the tenant's quotas
 * checked before a stream starts: GiB per month (402) and concurrent streams (429), the latter as a
 * slot taken atomically in Redis (TenantStreamSlots) for the stream's life. The default site and
 * tenants without a stream quota take no slot: no Redis round trip on their stream path.
 */
@Injectable()
export class TenantUsageMeter implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('stream');
  private readonly instance = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private unsent = new Map<string, number>();
  /** Slots this streamer holds: tenant id → holders. */
  private readonly slots = new Map<string, Set<string>>();
  private nextHolder = 0;
  private readonly monthBytes = new Map<string, { bytes: number; at: number; month: string }>();
  private readonly archivedMonth = new Map<
    string,
    { days: Map<string, ArchivedDay>; at: number; month: string }
  >();
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;

  constructor(
    private readonly usage: TenantUsageRepository,
    private readonly streamSlots: TenantStreamSlots,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), USAGE_FLUSH_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.flushing;
    // The bytes are written; the slots are freed below, so renewing their leases first would be wasted.
    await this.recordUsage();
    const held = [...this.slots].flatMap(([tenantId, holders]) =>
      [...holders].map((h) => [tenantId, h] as const),
    );
    await Promise.all(held.map(([tenantId, holder]) => this.free(tenantId, holder)));
  }

  /**
   * Lets a new stream of the tenant start, or refuses it: 402 past its month's GiB, 429 when all its
   * concurrent-stream slots are held. Returns what to call when the stream ends. `slot: false` (an ad
   * creative) is checked against the GiB only: an ad plays while its content preloads, so a slot of
   * its own would refuse a site with one stream its own content.
   */
  async admit(tenant: Tenant, { slot = true }: { slot?: boolean } = {}): Promise<StreamRelease> {
    const { concurrentStreams, gibPerMonth } = tenant.quotas;
    if (gibPerMonth !== undefined && (await this.servedThisMonth(tenant.id)) >= gibPerMonth * GIB) {
      throw new AppError(
        402,
        'quota_exceeded',
        `This site has used its ${gibPerMonth} GiB for this month; streaming resumes next month.`,
      );
    }
    if (concurrentStreams === undefined || !slot) return NOTHING_TO_RELEASE;
    const holder = `${this.instance}:${++this.nextHolder}`;
    if (!(await this.streamSlots.take(tenant.id, concurrentStreams, holder, STREAM_SLOT_LEASE_MS))) {
      throw new AppError(
        429,
        'too_many_streams',
        `This site allows ${concurrentStreams} streams at once; try again when one has finished.`,
      );
    }
    const holders = this.slots.get(tenant.id) ?? new Set<string>();
    this.slots.set(tenant.id, holders.add(holder));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      void this.free(tenant.id, holder);
    };
  }

  served(tenantId: string, bytes: number): void {
    this.unsent.set(tenantId, (this.unsent.get(tenantId) ?? 0) + bytes);
  }

  flush(): Promise<void> {
    this.flushing ??= this.write().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async free(tenantId: string, holder: string): Promise<void> {
    const holders = this.slots.get(tenantId);
    holders?.delete(holder);
    if (holders?.size === 0) this.slots.delete(tenantId);
    try {
      await this.streamSlots.release(tenantId, holder);
    } catch (error) {
      // The lease ends on its own, no longer renewed.
      this.logger.warn(`cannot release a stream slot of ${tenantId}: ${(error as Error).message}`);
    }
  }

  private async servedThisMonth(tenantId: string): Promise<number> {
    const month = usageDay().slice(0, 7);
    const cached = this.monthBytes.get(tenantId);
    let bytes = cached?.month === month && Date.now() - cached.at < MONTH_CACHE_MS ? cached.bytes : undefined;
    if (bytes === undefined) {
      const days = daysOfMonth(month);
      const [counted, archived] = await Promise.all([
        this.usage.counted(tenantId, days),
        this.archived(tenantId, month, days),
      ]);
      bytes = totalBytes(days, archived, counted);
      this.monthBytes.set(tenantId, { bytes, at: Date.now(), month });
    }
    return bytes + (this.unsent.get(tenantId) ?? 0);
  }

  /** The month's archived days, cached; while Mongo does not answer, the last copy (or none) counts. */
  private async archived(tenantId: string, month: string, days: string[]): Promise<Map<string, ArchivedDay>> {
    const cached = this.archivedMonth.get(tenantId);
    const current = cached?.month === month ? cached : undefined;
    if (current && Date.now() - current.at < ARCHIVED_CACHE_MS) return current.days;
    let found: Map<string, ArchivedDay>;
    try {
      found = await this.usage.archived(tenantId, days);
    } catch (error) {
      this.logger.warn(`cannot read the archived usage of ${tenantId}: ${(error as Error).message}`);
      found = current?.days ?? new Map();
    }
    this.archivedMonth.set(tenantId, { days: found, at: Date.now(), month });
    return found;
  }

  private async write(): Promise<void> {
    await this.recordUsage();
    await this.renewSlots();
  }

  private async recordUsage(): Promise<void> {
    const bytes = this.unsent;
    this.unsent = new Map();
    try {
      await this.usage.record(usageDay(), bytes);
    } catch (error) {
      for (const [tenantId, count] of bytes) this.served(tenantId, count); // counted next time
      this.logger.warn(`cannot record tenant usage: ${(error as Error).message}`);
    }
  }

  /** Every tenant's leases at once: one round trip of waiting, however many tenants are streaming. */
  private async renewSlots(): Promise<void> {
    await Promise.all(
      [...this.slots].map(async ([tenantId, holders]) => {
        try {
          await this.streamSlots.renew(tenantId, [...holders], STREAM_SLOT_LEASE_MS);
        } catch (error) {
          this.logger.warn(`cannot renew the stream slots of ${tenantId}: ${(error as Error).message}`);
        }
      }),
    );
  }
}
