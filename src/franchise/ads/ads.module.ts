import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { PanelExceptionFilter } from '../../admin/panel-exception.filter.js';
import { PanelRenderer } from '../../admin/panel-renderer.js';
import { CsrfTokens } from '../../admin/security/csrf-tokens.js';
import { CsrfGuard } from '../../admin/security/csrf.guard.js';
import { PanelAccessGuard } from '../../admin/security/panel-access.guard.js';
import { MediaLinks } from '../../site/pages/media-links.js';
import { AdsAdminController } from './admin/ads-admin.controller.js';
import { AdsAdminService } from './ads-admin.service.js';
import { AdsTenantCleanup } from './ads-tenant.cleanup.js';
import { AdsApiController } from './ads-api.controller.js';
import { AdsPublicController } from './ads-public.controller.js';
import { AdAudience } from './audience/ad-audience.js';
import { AdFreeAccountsRepository } from './audience/ad-free-accounts.repository.js';
import { AdPageInterceptor } from './page/ad-page.interceptor.js';
import { AdPagesService } from './page/ad-pages.service.js';
import { AdSettingsRepository } from './settings/ad-settings.repository.js';
import { AdSettingsService } from './settings/ad-settings.service.js';
import { AdsSettingsPolicy } from './settings/ads-settings.policy.js';
import { DownloadLinksService } from './shortener/download-links.service.js';
import { LinkShortenerAdapter } from './shortener/link-shortener.adapter.js';
import { ShortLinksRepository } from './shortener/short-links.repository.js';
import { AdCountersRepository } from './tracking/ad-counters.repository.js';
import { AdDaysFlusher } from './tracking/ad-days.flusher.js';
import { AdDaysRepository } from './tracking/ad-days.repository.js';
import { AdServingTokens } from './tracking/ad-serving-tokens.js';
import { AdStatsService } from './tracking/ad-stats.service.js';
import { AdTrackingService } from './tracking/ad-tracking.service.js';
import { HouseAdService } from './vast/house-ad.service.js';

/**
 * Ads per owner (tenant): VAST pre-/mid-rolls in the player, the house ad's own VAST, display slots in
 * the site's pages, a link shortener for downloads, ad-free accounts and per-day statistics. Manager role.
 */
@Module({
  controllers: [AdsApiController, AdsPublicController, AdsAdminController],
  providers: [
    AdSettingsRepository,
    AdSettingsService,
    AdsSettingsPolicy,
    AdFreeAccountsRepository,
    AdAudience,
    AdsAdminService,
    AdsTenantCleanup,
    AdCountersRepository,
    AdDaysRepository,
    AdStatsService,
    AdServingTokens,
    AdTrackingService,
    AdDaysFlusher,
    HouseAdService,
    LinkShortenerAdapter,
    ShortLinksRepository,
    DownloadLinksService,
    AdPagesService,
    { provide: APP_INTERCEPTOR, useClass: AdPageInterceptor },
    // Signed links for the house creative and downloads, as the site's pages make them (stateless).
    MediaLinks,
    // The panel's page plumbing, for /admin/ads (stateless: its own instances here).
    CsrfTokens,
    CsrfGuard,
    PanelAccessGuard,
    PanelRenderer,
    PanelExceptionFilter,
  ],
})
export class AdsModule {}
