import { readFileSync } from 'node:fs';
import { siteBrand } from '../../../core/tenancy/site-brand.js';
import { TenantContext } from '../../../core/tenancy/tenant-context.js';
import { isDefaultTenant } from '../../../core/tenancy/tenant.js';
import { join } from 'node:path';
import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type Response } from 'express';
import { type IdentifiedRequest } from '../../../core/identity/identity.js';
import { findAssetsDir } from '../../../core/views/views-dir.js';
import { SitePageRenderer } from '../site-page-renderer.js';
import { WEB_MANIFEST } from './web-manifest.js';

/**
 * The installable app: its manifest, the service worker (served from the root so its scope is the
 * whole site) and the page it shows when the network is gone.
 */
@ApiExcludeController()
@Controller()
export class PwaController {
  private readonly worker = readFileSync(join(findAssetsDir(), 'site', 'sw.js'), 'utf8');

  constructor(private readonly renderer: SitePageRenderer) {}

  @Get('manifest.webmanifest')
  manifest(@Res() res: Response): void {
    res.setHeader('Cache-Control', 'public, max-age=3600');
    // A franchise tenant's site installs under its own name and colors.
    const tenant = TenantContext.current();
    const brand = siteBrand(tenant);
    const background = tenant.branding.colors?.background;
    const manifest = isDefaultTenant(tenant)
      ? WEB_MANIFEST
      : {
          ...WEB_MANIFEST,
          name: brand.name,
          short_name: brand.name.slice(0, 30),
          ...(background ? { background_color: background, theme_color: background } : {}),
        };
    res.type('application/manifest+json').send(JSON.stringify(manifest));
  }

  /** Always revalidated, so a new version reaches installed apps on their next visit. */
  @Get('sw.js')
  serviceWorker(@Res() res: Response): void {
    res.setHeader('Cache-Control', 'no-cache');
    res.type('text/javascript').send(this.worker);
  }

  @Get('offline')
  offline(@Req() req: IdentifiedRequest, @Res() res: Response): void {
    this.renderer.send(req, res, { view: 'offline', title: 'Offline' });
  }
}
