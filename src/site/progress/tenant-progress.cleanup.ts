import { Injectable, type OnModuleInit } from '@nestjs/common';
import { type TenantDependent, TenantDependents } from '../../core/tenancy/tenant-dependents.js';
import { ProgressService } from './progress.service.js';

/** A purged tenant's accounts leave no watch or reading progress behind. */
@Injectable()
export class TenantProgressCleanup implements TenantDependent, OnModuleInit {
  readonly name = 'watch progress';

  constructor(
    private readonly progress: ProgressService,
    private readonly dependents: TenantDependents,
  ) {}

  onModuleInit(): void {
    this.dependents.register(this);
  }

  purgeTenant(_tenantId: string, accountIds: readonly string[]): Promise<void> {
    return this.progress.forgetIdentities(accountIds);
  }
}
