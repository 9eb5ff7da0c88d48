import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { TenantContext } from '../../core/tenancy/tenant-context.js';
import { siteName } from '../../core/tenancy/tenant-resolver.js';
import { isDefaultTenant } from '../../core/tenancy/tenant.js';

/** The current site's public face: its name, branding and which features it offers. */
@ApiTags('site')
@Controller('api/site')
export class SiteInfoController {
  @Get()
  info() {
    const tenant = TenantContext.current();
    const branding = tenant.branding;
    return {
      tenant: isDefaultTenant(tenant) ? null : { id: tenant.id, slug: tenant.slug },
      siteName: isDefaultTenant(tenant) ? 'StreamVault' : siteName(tenant),
      logo: branding.logo ?? null,
      favicon: branding.favicon ?? null,
      footer: branding.footer ?? null,
      colors: branding.colors ?? {},
      features: tenant.features,
    };
  }
}
