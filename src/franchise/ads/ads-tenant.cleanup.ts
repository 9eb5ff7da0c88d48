import { Injectable, type OnModuleInit } from '@nestjs/common';
import { type TenantDependent, TenantDependents } from '../../core/tenancy/tenant-dependents.js';
import { AdFreeAccountsRepository } from './audience/ad-free-accounts.repository.js';
import { AdSettingsRepository } from './settings/ad-settings.repository.js';
import { AdCountersRepository, counterDays } from './tracking/ad-counters.repository.js';
import { AdDaysRepository } from './tracking/ad-days.repository.js';

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
    // Redis first: a copy to Mongo running meanwhile then finds nothing to copy back. An event still
    // in flight may count again after this: the flusher drops the counters of owners no longer tenants.
    await this.counters.forgetOwner(tenantId, counterDays());
    await this.days.deleteForOwner(tenantId);
    await this.settings.delete(tenantId);
    await this.adFree.deleteForOwner(tenantId);
  }
}
