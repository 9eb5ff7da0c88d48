import { Global, Module } from '@nestjs/common';
import { TenantDependents } from './tenant-dependents.js';
import { TenantDirectory } from './tenant-directory.js';
import { TenantRepository } from './tenant.repository.js';
import { TenantResolver } from './tenant-resolver.js';
import { TenantQuotaStatus } from './tenant-quota-status.js';
import { TenantStreamSlots } from './tenant-stream-slots.js';
import { TenantUsageRepository } from './tenant-usage.repository.js';

const PROVIDERS = [
  TenantRepository,
  TenantDirectory,
  TenantResolver,
  TenantUsageRepository,
  TenantQuotaStatus,
  TenantStreamSlots,
  TenantDependents,
];

/**
 * Franchise tenancy as a request context, in core because auth, site, stream and library all ask
 * "which site is this request for": the tenant store, its cache and host resolution.
 */
@Global()
@Module({
  providers: PROVIDERS,
  exports: PROVIDERS,
})
export class TenancyModule {}
