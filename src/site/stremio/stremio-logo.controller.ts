import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type Response } from 'express';
import { TenantContext } from '../../core/tenancy/tenant-context.js';
import { findAssetsDir } from '../../core/views/views-dir.js';

/** A tenant logo stored inline (the branding settings accept these or a path on the site). */
const DATA_IMAGE = /^data:(image\/(?:png|jpeg|webp|svg\+xml));base64,([A-Za-z0-9+/=]+)$/;

/**
 * `GET /stremio/logo.png`: the site's icon for the manifest's `logo`. Static assets are same-site
 * only (helmet's Cross-Origin-Resource-Policy), and Stremio Web shows the logo from its own origin:
 * under `/stremio/` it gets the add-on's cross-origin headers. A tenant's inline logo is its add-on's
 * logo; otherwise (no logo, or one at a same-site-only path) the install's icon.
 */
@ApiExcludeController()
@Controller('stremio')
export class StremioLogoController {
  private readonly logo = readFileSync(join(findAssetsDir(), 'site', 'icons', 'icon-512.png'));

  @Get('logo.png')
  get(@Res() res: Response): void {
    const inline = DATA_IMAGE.exec(TenantContext.current().branding.logo ?? '');
    res.set({
      'content-type': inline ? inline[1] : 'image/png',
      'cache-control': 'public, max-age=86400',
      // An SVG opened on its own is a document of this origin: nothing in it runs.
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    });
    res.end(inline ? Buffer.from(inline[2], 'base64') : this.logo);
  }
}
