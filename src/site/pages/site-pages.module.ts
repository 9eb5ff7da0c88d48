import { Module } from '@nestjs/common';
import { HomeController } from './home/home.controller.js';
import { SitePageRenderer } from './site-page-renderer.js';

/**
 * The viewer site's pages (manager role): home, browse, search, title, player, account, PWA shell.
 * Server-rendered from `views/site/` in the `site` layout; scripts and styles from
 * `views/assets/site/`, no external assets and no inline code.
 */
@Module({
  controllers: [HomeController],
  providers: [SitePageRenderer],
})
export class SitePagesModule {}
