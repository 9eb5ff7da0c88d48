import { Inject, Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import { APP_CONFIG, type AppConfig } from '../../../core/config/app-config.js';
import { siteOrigin } from '../../../core/tenancy/site-origin.js';
import { TenantContext } from '../../../core/tenancy/tenant-context.js';
import { LibraryService } from '../../../library/library.service.js';
import { MediaLinks } from '../../../site/pages/media-links.js';
import { AdSettingsService } from '../settings/ad-settings.service.js';
import { AdEventSource } from '../tracking/ad-event.js';
import { AdServingTokens, HOUSE_TOKEN_TTL_MS } from '../tracking/ad-serving-tokens.js';
import { emptyVast, houseAdVast } from './vast-document.js';

/** The owner's house ad as a VAST 4.1 document (`GET /ads/vast.xml`), or an empty VAST when there is none. */
@Injectable()
export class HouseAdService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly settings: AdSettingsService,
    private readonly library: LibraryService,
    private readonly links: MediaLinks,
    private readonly tokens: AdServingTokens,
  ) {}

  async vast(owner: string): Promise<string> {
    const settings = await this.settings.get(owner);
    const houseAd = settings.enabled ? settings.houseAd : undefined;
    if (!houseAd) return emptyVast();
    const [file] = await this.library.findFiles([new Types.ObjectId(houseAd.fileId)]);
    // The creative's file was deleted, or the site's scope changed since and no longer shows it (its
    // links would be refused): no ad, and the player goes on to the content.
    if (!file || !(await this.library.fileInScope(file))) return emptyVast();
    // The site's own origin: a tenant's stream links are refused on the operator's host, and its
    // tracking counted there would be the operator's.
    const origin = siteOrigin(this.config, TenantContext.current());
    const video = file.streams.video[0];
    // Its beacons count only with this serving's token, each event once.
    const { serving, token } = this.tokens.issue(owner, AdEventSource.House, 1, HOUSE_TOKEN_TTL_MS);
    return houseAdVast({
      id: String(file._id),
      title: houseAd.title ?? file.fileName,
      mediaUrl: `${origin}${this.links.adCreative(String(file._id), file.fileName)}`,
      mime: file.mime,
      width: video?.width,
      height: video?.height,
      durationSeconds: file.duration ?? 0,
      skipOffsetSeconds: settings.skipOffsetSeconds,
      clickThrough: houseAd.clickThrough,
      trackingBase: `${origin}/ads/track`,
      servingId: serving.id,
      token,
    });
  }
}
