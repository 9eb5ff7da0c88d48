import { readFileSync } from 'node:fs';
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
    res.type('application/manifest+json').send(JSON.stringify(WEB_MANIFEST));
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
