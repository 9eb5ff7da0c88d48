import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { AppError } from '../../core/errors/app-error.js';
import { daysOfMonth, TenantUsageRepository, usageDay } from '../../core/tenancy/tenant-usage.repository.js';
import { type Tenant } from '../../core/tenancy/tenant.js';
import { ACTIVE_STALE_MS, USAGE_FLUSH_MS } from './stream-usage.keys.js';

const GIB = 1024 ** 3;
/** How long a tenant's month total is trusted before it is read again (the quota check's cost). */
const MONTH_CACHE_MS = 5_000;

/**
 * Franchise metering on the streamer: bytes served and streams in progress per tenant, counted in
 * memory and written to Redis every USAGE_FLUSH_MS (atomic INCRBY; no database write on the stream
 * path), and the tenant's quotas checked before a stream starts: concurrent streams (429) and GiB per
 * month (402).
 */
@Injectable()
export class TenantUsageMeter implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('stream');
  private readonly instance = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private unsent = new Map<string, number>();
  private readonly active = new Map<string, number>();
  private readonly monthBytes = new Map<string, { bytes: number; at: number; month: string }>();
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;

  constructor(private readonly usage: TenantUsageRepository) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), USAGE_FLUSH_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.flushing;
    for (const tenantId of this.active.keys()) this.active.set(tenantId, 0);
    await this.flush();
  }

  /** Refuses a new stream of a tenant at its quota: 429 at its concurrent streams, 402 past its month. */
  async assertAllowed(tenant: Tenant): Promise<void> {
    const { concurrentStreams, gibPerMonth } = tenant.quotas;
    if (concurrentStreams !== undefined) {
      const here = this.active.get(tenant.id) ?? 0;
      const elsewhere = await this.usage.activeElsewhere(tenant.id, this.instance, ACTIVE_STALE_MS);
      if (here + elsewhere >= concurrentStreams) {
        throw new AppError(
          429,
          'too_many_streams',
          `This site allows ${concurrentStreams} streams at once; try again when one has finished.`,
        );
      }
    }
    if (gibPerMonth !== undefined && (await this.servedThisMonth(tenant.id)) >= gibPerMonth * GIB) {
      throw new AppError(
        402,
        'quota_exceeded',
        `This site has used its ${gibPerMonth} GiB for this month; streaming resumes next month.`,
      );
    }
  }

  started(tenantId: string): void {
    this.active.set(tenantId, (this.active.get(tenantId) ?? 0) + 1);
  }

  ended(tenantId: string): void {
    this.active.set(tenantId, Math.max(0, (this.active.get(tenantId) ?? 0) - 1));
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

  private async servedThisMonth(tenantId: string): Promise<number> {
    const month = usageDay().slice(0, 7);
    const cached = this.monthBytes.get(tenantId);
    let bytes = cached?.month === month && Date.now() - cached.at < MONTH_CACHE_MS ? cached.bytes : undefined;
    if (bytes === undefined) {
      const days = await this.usage.countedBytes(tenantId, daysOfMonth(month));
      bytes = [...days.values()].reduce((sum, value) => sum + value, 0);
      this.monthBytes.set(tenantId, { bytes, at: Date.now(), month });
    }
    return bytes + (this.unsent.get(tenantId) ?? 0);
  }

  private async write(): Promise<void> {
    const bytes = this.unsent;
    this.unsent = new Map();
    const active = new Map(this.active);
    try {
      await this.usage.record(usageDay(), bytes, active, this.instance);
      // A tenant with nothing in progress has had its field removed; it need not be written again.
      for (const [tenantId, count] of active)
        if (count === 0 && this.active.get(tenantId) === 0) this.active.delete(tenantId);
    } catch (error) {
      for (const [tenantId, count] of bytes) this.served(tenantId, count); // counted next time
      this.logger.warn(`cannot record tenant usage: ${(error as Error).message}`);
    }
  }
}
