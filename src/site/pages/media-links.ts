import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../core/config/app-config.js';
import { SettingsService } from '../../core/settings/settings.service.js';
import { TenantContext } from '../../core/tenancy/tenant-context.js';
import {
  linkTenant,
  secureLinkSignature,
  signedPath,
  signedQuery,
} from '../../stream/signing/secure-link.js';

/** Signed links are minted against a clock rounded to this, so a page's image URLs stay cacheable. */
const STABLE_WINDOW_SECONDS = 600;

/**
 * Signed links to media paths for pages the manager renders (streamers check them, nginx too). Links
 * are origin-relative so a page keeps working when the satellite moves the app to another origin.
 */
@Injectable()
export class MediaLinks {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly settings: SettingsService,
  ) {}

  stream(fileId: string, fileName: string): string {
    return this.sign(['stream', fileId, fileName]);
  }

  /**
   * A house ad's creative: its own path (signed like any, so no content link becomes one), which the
   * streamer serves without taking one of the site's concurrent-stream slots.
   */
  adCreative(fileId: string, fileName: string): string {
    return this.sign(['stream', fileId, 'ad', fileName]);
  }

  subtitle(fileId: string, position: number): string {
    return this.sign(['subtitles', fileId, `${position}.vtt`]);
  }

  still(fileId: string, index: number): string {
    return this.sign(['media', fileId, 'screenshots', String(index)]);
  }

  private sign(segments: string[]): string {
    const now = Math.floor(Date.now() / 1000);
    const ttl = this.settings.cached().signedUrlTtlSeconds;
    // Rounding down keeps the URL identical for a while; the link still lives at least ttl - window.
    const window = Math.min(STABLE_WINDOW_SECONDS, Math.floor(ttl / 2));
    const expires = now - (now % Math.max(window, 1)) + ttl;
    const path = signedPath(segments);
    const tenant = linkTenant(TenantContext.current().id);
    const md5 = secureLinkSignature(path.decoded, expires, this.config.stream.secret, tenant);
    return `${path.encoded}?${signedQuery(md5, expires, tenant)}`;
  }
}
