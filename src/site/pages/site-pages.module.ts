import { Module } from '@nestjs/common';
import { CsrfTokens } from '../../admin/security/csrf-tokens.js';
import { CsrfGuard } from '../../admin/security/csrf.guard.js';
import { AccountPageController } from './account/account-page.controller.js';
import { CatalogPagesController } from './catalog/catalog-pages.controller.js';
import { CatalogPagesService } from './catalog/catalog-pages.service.js';
import { CommentFormsController } from './comments/comment-forms.controller.js';
import { MediaLinks } from './media-links.js';
import { MusicPageController } from './music/music-page.controller.js';
import { PlayerPageController } from './player/player-page.controller.js';
import { PlayerPageService } from './player/player-page.service.js';
import { PwaController } from './pwa/pwa.controller.js';
import { SitePageRenderer } from './site-page-renderer.js';
import { TitlePageController } from './title/title-page.controller.js';
import { TitlePageService } from './title/title-page.service.js';

/**
 * The viewer site's pages (manager role): home, browse, search, title, player, account, PWA shell.
 * Server-rendered from `views/site/` in the `site` layout; scripts and styles from
 * `views/assets/site/`, no external assets and no inline code.
 */
@Module({
  controllers: [
    CatalogPagesController,
    AccountPageController,
    PwaController,
    TitlePageController,
    PlayerPageController,
    CommentFormsController,
    MusicPageController,
  ],
  // The panel's stateless CSRF tokens (signed double-submit cookie) guard the site's few plain forms too.
  providers: [
    CsrfTokens,
    CsrfGuard,
    SitePageRenderer,
    CatalogPagesService,
    MediaLinks,
    TitlePageService,
    PlayerPageService,
  ],
  // Pages other modules serve in the site's layout (ReadVault's reader).
  exports: [SitePageRenderer],
})
export class SitePagesModule {}
