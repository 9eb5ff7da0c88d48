import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { brandStylesheet } from '../../core/tenancy/site-brand.js';
import { TenantContext } from '../../core/tenancy/tenant-context.js';

/** The current site's colors as a stylesheet (a file, so the CSP keeps `style-src 'self'`). */
@ApiExcludeController()
@Controller('site')
export class BrandCssController {
  @Get('brand.css')
  @Header('content-type', 'text/css; charset=utf-8')
  @Header('cache-control', 'public, max-age=300')
  css(): string {
    return brandStylesheet(TenantContext.current());
  }
}
