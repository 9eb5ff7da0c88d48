import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type Response } from 'express';
import { findAssetsDir } from '../../core/views/views-dir.js';

/**
 * `GET /stremio/logo.png`: the site's icon for the manifest's `logo`. Static assets are same-site
 * only (helmet's Cross-Origin-Resource-Policy), and Stremio Web shows the logo from its own origin:
 * under `/stremio/` it gets the add-on's cross-origin headers.
 */
@ApiExcludeController()
@Controller('stremio')
export class StremioLogoController {
  private readonly logo = readFileSync(join(findAssetsDir(), 'site', 'icons', 'icon-512.png'));

  @Get('logo.png')
  get(@Res() res: Response): void {
    res.set({ 'content-type': 'image/png', 'cache-control': 'public, max-age=86400' });
    res.end(this.logo);
  }
}
