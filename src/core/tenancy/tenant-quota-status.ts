import { Injectable } from '@nestjs/common';
import { AppError } from '../errors/app-error.js';
import { ExpiringMap } from '../util/expiring-map.js';
import { siteBrand } from './site-brand.js';
import { TenantContext } from './tenant-context.js';
import { daysOfMonth, TenantUsageRepository, totalBytes, usageDay } from './tenant-usage.repository.js';
import { type Tenant } from './tenant.js';

const GIB = 1024 ** 3;
const CACHE_MS = 10_000;
/** Far more tenants than an install has: only a bound. */
const CACHED_TENANTS = 10_000;

/**
 * Whether a tenant has used its month's GiB, for pages and rooms that would play (the player says so
 * instead of showing a video that fails).
 */
@Injectable()
export class TenantQuotaStatus {
  private readonly cache = new ExpiringMap<string, boolean>(CACHED_TENANTS, CACHE_MS);

  constructor(private readonly usage: TenantUsageRepository) {}

  async monthlyQuotaReached(tenant: Tenant): Promise<boolean> {
    const limit = tenant.quotas.gibPerMonth;
    if (limit === undefined) return false;
    const cached = this.cache.get(tenant.id);
    if (cached !== undefined) return cached;
    const days = daysOfMonth(usageDay().slice(0, 7));
    const [counted, archived] = await Promise.all([
      this.usage.counted(tenant.id, days),
      this.usage.archived(tenant.id, days),
    ]);
    const reached = totalBytes(days, archived, counted) >= limit * GIB;
    this.cache.set(tenant.id, reached);
    return reached;
  }

  /** 402 on the current site once its month's streaming is used up. */
  async requireStreamingLeft(): Promise<void> {
    const tenant = TenantContext.current();
    if (!(await this.monthlyQuotaReached(tenant))) return;
    throw new AppError(
      402,
      'quota_exceeded',
      `${siteBrand(tenant).name} has used this month's streaming; videos play again next month.`,
    );
  }
}
