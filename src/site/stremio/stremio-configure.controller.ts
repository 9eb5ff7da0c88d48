import { Controller, Get, Inject, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type Response } from 'express';
import { APP_CONFIG, type AppConfig } from '../../core/config/app-config.js';
import { siteOrigin } from '../../core/tenancy/site-origin.js';
import { TenantContext } from '../../core/tenancy/tenant-context.js';
import { SitePageRenderer } from '../pages/site-page-renderer.js';
import { ADDON_CATALOGS } from './stremio-catalogs.js';
import { type AddonRequest, StremioKeyGuard } from './stremio-key.guard.js';
import { chooseCatalogs, formatAddonKey } from './stremio-key.js';
import { addonLinks } from './stremio-links.js';

/**
 * `GET /stremio/<key>/configure`: the page Stremio opens for a configurable add-on (and the account
 * page links to). A plain GET form picks the catalogs; the answer shows the install URL for that
 * choice, a `stremio://` button and Stremio Web's install link. Works without JavaScript.
 */
@ApiExcludeController()
@Controller('stremio/:key')
@UseGuards(StremioKeyGuard)
export class StremioConfigureController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly renderer: SitePageRenderer,
  ) {}

  @Get('configure')
  configure(@Query('catalog') asked: unknown, @Req() req: AddonRequest, @Res() res: Response): void {
    const key = req.addonKey!;
    const { catalogs, nothingChosen } = chooseCatalogs(asked, key.catalogs);
    const origin = siteOrigin(this.config, TenantContext.current());
    const links = addonLinks(origin, formatAddonKey(key.password, catalogs));
    this.renderer.send(req, res, {
      view: 'stremio-configure',
      title: 'Stremio add-on',
      section: 'account',
      data: {
        owner: req.identity?.name,
        action: links.configure,
        nothingChosen,
        catalogs: ADDON_CATALOGS.map((catalog) => ({
          name: catalog.name,
          label: catalog.label,
          checked: catalogs.includes(catalog.name),
        })),
        links,
      },
    });
  }
}
