import { Injectable, type OnModuleInit } from '@nestjs/common';
import { type TenantDependent, TenantDependents } from '../../core/tenancy/tenant-dependents.js';
import { AdFreeAccountsRepository } from './audience/ad-free-accounts.repository.js';
import { AdSettingsRepository } from './settings/ad-settings.repository.js';
import { AdCountersRepository, COUNTER_DAYS_KEPT } from './tracking/ad-counters.repository.js';
import { AdDaysRepository } from './tracking/ad-days.repository.js';
import { utcDay } from './tracking/ad-event.js';

/** A purged tenant's ads go: settings, ad-free marks, and statistics in Redis and Mongo. */
@Injectable()
export class AdsTenantCleanup implements TenantDependent, OnModuleInit {
  readonly name = 'ads';

  constructor(
    private readonly settings: AdSettingsRepository,
    private readonly adFree: AdFreeAccountsRepository,
    private readonly counters: AdCountersRepository,
    private readonly days: AdDaysRepository,
    private readonly dependents: TenantDependents,
  ) {}

  onModuleInit(): void {
    this.dependents.register(this);
  }

  async purgeTenant(tenantId: string): Promise<void> {
    const now = Date.now();
    const recent = Array.from({ length: COUNTER_DAYS_KEPT + 2 }, (_, back) =>
      utcDay(new Date(now - (back - 1) * 86_400_000)),
    );
    // Redis first: a copy to Mongo running meanwhile then finds nothing to copy back.
    await this.counters.forgetOwner(tenantId, recent);
    await this.days.deleteForOwner(tenantId);
    await this.settings.delete(tenantId);
    await this.adFree.deleteForOwner(tenantId);
  }
}
