import { Module, type NestModule } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { MediaLinks } from '../pages/media-links.js';
import { SitePagesModule } from '../pages/site-pages.module.js';
import { StremioAddonController } from './stremio-addon.controller.js';
import { StremioAddonService } from './stremio-addon.service.js';
import { StremioConfigureController } from './stremio-configure.controller.js';
import { stremioCors } from './stremio-cors.middleware.js';
import { StremioKeyGuard } from './stremio-key.guard.js';
import { StremioLogoController } from './stremio-logo.controller.js';

/**
 * The Stremio add-on (manager role): the protocol routes and the configure page, over the library's
 * read side, app passwords and the streamers' signed links.
 */
@Module({
  imports: [SitePagesModule],
  controllers: [StremioAddonController, StremioConfigureController, StremioLogoController],
  providers: [StremioAddonService, StremioKeyGuard, MediaLinks],
})
export class StremioModule implements NestModule {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  configure(): void {
    // On the plain prefix, not through `forRoutes('stremio/*path')`: a route pattern decodes the path
    // first, and a malformed escape (`search=%.json`) was answered 400 before the headers were set.
    this.adapterHost.httpAdapter.use('/stremio', stremioCors);
  }
}
