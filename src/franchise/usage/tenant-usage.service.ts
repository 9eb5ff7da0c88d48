import { Injectable, Logger } from '@nestjs/common';
import { AppError } from '../../core/errors/app-error.js';
import { RedisMutex } from '../../core/redis/redis-mutex.js';
import { TenantRepository } from '../../core/tenancy/tenant.repository.js';
import {
  dayBytes,
  daysOfMonth,
  TenantUsageRepository,
  usageDay,
} from '../../core/tenancy/tenant-usage.repository.js';
import { type Tenant } from '../../core/tenancy/tenant.js';
import { TENANT_LOCK_OPTIONS, tenantLock } from '../tenants/tenant-lock.js';

const GIB = 1024 ** 3;
/**
 * How long the archive waits for a tenant's lock: an edit holds it for a moment, and a tenant skipped
 * would wait an hour for the next round. Still held after this, it is a purge (which removes the usage).
 */
const ARCHIVE_LOCK_WAIT_MS = 5_000;

export interface MonthUsage {
  tenantId: string;
  month: string;
  days: { day: string; bytes: number }[];
  totalBytes: number;
  totalGib: number;
  quotaGib: number | null;
  overQuota: boolean;
}

/**
 * Usage figures for the panel, the API and invoicing: a month of a tenant's bytes served, each day
 * what `tenant_usage` archived plus what its Redis counter gained since (`dayBytes`).
 */
@Injectable()
export class TenantUsageService {
  private readonly logger = new Logger('franchise');

  constructor(
    private readonly usage: TenantUsageRepository,
    private readonly tenants: TenantRepository,
    private readonly mutex: RedisMutex,
  ) {}

  async month(tenant: Tenant, month = currentMonth()): Promise<MonthUsage> {
    const days = daysOfMonth(parseMonth(month));
    const [counted, archived] = await Promise.all([
      this.usage.counted(tenant.id, days),
      this.usage.archived(tenant.id, days),
    ]);
    const perDay = days.map((day) => ({
      day,
      bytes: dayBytes(archived.get(day), counted.bytes.get(day) ?? 0, counted.epoch),
    }));
    const totalBytes = perDay.reduce((sum, { bytes }) => sum + bytes, 0);
    const quotaGib = tenant.quotas.gibPerMonth ?? null;
    return {
      tenantId: tenant.id,
      month,
      days: perDay,
      totalBytes,
      totalGib: Math.round((totalBytes / GIB) * 1000) / 1000,
      quotaGib,
      overQuota: quotaGib !== null && totalBytes >= quotaGib * GIB,
    };
  }

  /** Every tenant's month as CSV for invoicing: one row per tenant, with its plan's price. */
  async csv(month = currentMonth()): Promise<string> {
    const header = 'tenant_id,slug,name,plan,price_cents,bytes,gib,quota_gib,over_quota';
    const rows = [header];
    for (const tenant of await this.tenants.list()) {
      const usage = await this.month(tenant, month);
      rows.push(
        [
          tenant.id,
          tenant.slug,
          tenant.name,
          tenant.plan.name,
          tenant.plan.priceCents ?? '',
          usage.totalBytes,
          usage.totalGib,
          usage.quotaGib ?? '',
          usage.overQuota,
        ]
          .map(csvField)
          .join(','),
      );
    }
    return `${rows.join('\r\n')}\r\n`;
  }

  /**
   * Adds what this month's (and yesterday's) counters of every tenant gained to `tenant_usage`. Each
   * tenant under its own lock, the one its deletion holds, and only while it still exists: a purge
   * running meanwhile either waits for the tenant's archive (then removes what it wrote) or has
   * deleted it (then nothing is written back). A tenant whose lock is held (being changed) is waited
   * for a few seconds; one whose lock stays held (a long purge) is skipped until the next round.
   */
  async archive(now = new Date()): Promise<void> {
    const today = usageDay(now);
    const yesterday = usageDay(new Date(now.getTime() - 24 * 3600 * 1000));
    const days = [...new Set([yesterday, ...daysOfMonth(today.slice(0, 7)).filter((day) => day <= today)])];
    for (const tenant of await this.tenants.list()) await this.archiveTenant(tenant, days);
  }

  private async archiveTenant(tenant: Tenant, days: readonly string[]): Promise<void> {
    let locked = false;
    try {
      await this.mutex.withLock(
        tenantLock(tenant.id),
        async () => {
          locked = true;
          // Listed before a purge that has finished since: its counters are gone, but bytes a
          // streamer wrote late must not bring back a row.
          if (!(await this.tenants.findById(tenant.id))) return;
          await this.usage.archive(tenant.id, days);
        },
        // Renewed while it runs: a slow archive (a row per day, each a read and a write on FerretDB) past
        // the lock's 30 s would let a purge start beside it.
        { ttlMs: TENANT_LOCK_OPTIONS.ttlMs, waitMs: ARCHIVE_LOCK_WAIT_MS, renew: true },
      );
    } catch (error) {
      // Only the wait for the lock is forgiven; a failed archive still ends the round.
      if (locked || !(error instanceof AppError) || error.getStatus() !== 503) throw error;
      this.logger.warn(`tenant ${tenant.slug}'s usage is archived next round: its lock stayed held`);
    }
  }
}

export function currentMonth(): string {
  return usageDay().slice(0, 7);
}

/**
 * A `?month=` as given: absent means this month; anything but one `YYYY-MM` (a repeated parameter
 * arrives as an array) is a 400.
 */
export function requestedMonth(month: unknown): string {
  return month === undefined ? currentMonth() : parseMonth(month);
}

function parseMonth(month: unknown): string {
  if (typeof month !== 'string' || !/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) {
    throw new AppError(400, 'bad_request', 'month must be YYYY-MM, e.g. 2026-12.');
  }
  return month;
}

/** RFC 4180 quoting; a leading = + - @ is defused so a spreadsheet does not run it as a formula. */
function csvField(value: string | number | boolean): string {
  let text = String(value);
  if (/^[=+\-@]/.test(text) && typeof value === 'string') text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
