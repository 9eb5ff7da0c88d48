import { Inject, Injectable, Logger } from '@nestjs/common';
import { type Types } from 'mongoose';
import { APP_CONFIG, type AppConfig } from '../../../core/config/app-config.js';
import { type Identity } from '../../../core/identity/identity.js';
import { SettingsService } from '../../../core/settings/settings.service.js';
import { siteOrigin } from '../../../core/tenancy/site-origin.js';
import { TenantContext } from '../../../core/tenancy/tenant-context.js';
import { LibraryService } from '../../../library/library.service.js';
import { MediaLinks } from '../../../site/pages/media-links.js';
import { AdAudience } from '../audience/ad-audience.js';
import { AdSettingsService } from '../settings/ad-settings.service.js';
import { LinkShortenerAdapter } from './link-shortener.adapter.js';
import { ShortLinksRepository } from './short-links.repository.js';

/** A short link is kept at most this long, and never longer than half the signed link's life. */
const SHORT_LINK_CACHE_SECONDS = 3600;

/**
 * Where a download button leads: the file's signed link, through the owner's link shortener when it is
 * on and the viewer sees ads. A shortener error or timeout falls back to the signed link itself.
 */
@Injectable()
export class DownloadLinksService {
  private readonly logger = new Logger('ads');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly runtime: SettingsService,
    private readonly library: LibraryService,
    private readonly links: MediaLinks,
    private readonly settings: AdSettingsService,
    private readonly audience: AdAudience,
    private readonly shortener: LinkShortenerAdapter,
    private readonly shortLinks: ShortLinksRepository,
  ) {}

  async target(owner: string, fileId: Types.ObjectId, identity: Identity | undefined): Promise<string> {
    const file = await this.library.requireFile(fileId);
    const direct = `${siteOrigin(this.config, TenantContext.current())}${this.links.stream(String(file._id), file.fileName)}`;
    const settings = await this.settings.get(owner);
    const shortener = settings.shortener;
    if (!settings.enabled || !shortener?.enabled || !(await this.audience.seesAds(owner, identity)))
      return direct;
    const known = await this.shortLinks.get(owner, direct);
    if (known) return known;
    try {
      const short = await this.shortener.shorten(shortener, direct);
      const ttl = Math.min(SHORT_LINK_CACHE_SECONDS, (await this.runtime.get()).signedUrlTtlSeconds / 2);
      await this.shortLinks.remember(owner, direct, short, ttl);
      return short;
    } catch (error) {
      this.logger.warn(`download of ${String(fileId)} goes direct: ${(error as Error).message}`);
      return direct;
    }
  }
}
