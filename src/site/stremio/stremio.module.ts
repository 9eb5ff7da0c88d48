import { Module } from '@nestjs/common';
import { MediaLinks } from '../pages/media-links.js';
import { SitePagesModule } from '../pages/site-pages.module.js';
import { StremioAddonController } from './stremio-addon.controller.js';
import { StremioAddonService } from './stremio-addon.service.js';
import { StremioConfigureController } from './stremio-configure.controller.js';
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
// Its CORS headers (`stremioCors`) are mounted by `configureApp`, ahead of the tenant middleware.
export class StremioModule {}
