import { Module } from '@nestjs/common';
import { HomeController } from './home/home.controller.js';
import { MediaLinks } from './media-links.js';
import { PlayerPageController } from './player/player-page.controller.js';
import { PlayerPageService } from './player/player-page.service.js';
import { SitePageRenderer } from './site-page-renderer.js';
import { TitlePageController } from './title/title-page.controller.js';
import { TitlePageService } from './title/title-page.service.js';

/**
 * The viewer site's pages (manager role): home, browse, search, title, player, account, PWA shell.
 * Server-rendered from `views/site/` in the `site` layout; scripts and styles from
 * `views/assets/site/`, no external assets and no inline code.
 */
@Module({
  controllers: [HomeController, TitlePageController, PlayerPageController],
  providers: [SitePageRenderer, MediaLinks, TitlePageService, PlayerPageService],
})
export class SitePagesModule {}
