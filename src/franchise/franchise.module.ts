import { Global, Module } from '@nestjs/common';
import { AdsModule } from './ads/ads.module.js';
import { BrandCssController } from './site/brand-css.controller.js';
import { SiteInfoController } from './site/site-info.controller.js';
import { TenantsController } from './tenants/tenants.controller.js';
import { TenantsService } from './tenants/tenants.service.js';
import { TenantUsageArchiver } from './usage/tenant-usage.archiver.js';
import { TenantUsageService } from './usage/tenant-usage.service.js';

/**
 * Franchise tenants (manager role): the operator's tenant API, each site's public description and its ads
 * (src/franchise/ads). The
 * tenancy context itself (host → tenant, cache) is core (src/core/tenancy): every role needs it.
 */
@Global()
@Module({
  imports: [AdsModule],
  controllers: [TenantsController, SiteInfoController, BrandCssController],
  providers: [TenantsService, TenantUsageService, TenantUsageArchiver],
  // The tenant admin's page (/admin/site) lives with the panel, whose guards and renderer it uses.
  exports: [TenantsService, TenantUsageService],
})
export class FranchiseModule {}
