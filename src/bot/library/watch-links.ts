import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../core/config/app-config.js';
import { SettingsService } from '../../core/settings/settings.service.js';
import { secureLinkSignature, signedPath } from '../../stream/signing/secure-link.js';

/**
 * Signed `/watch/:fileId` links on the public URL. Signed here with the streamer's secure-link helper
 * and STREAM_SECRET, because a manager need not run the stream module.
 */
@Injectable()
export class WatchLinks {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly settings: SettingsService,
  ) {}

  /** A page of the viewer site (a manga's title page, the reader) on the public URL. */
  site(path: string): string {
    return `${this.config.http.publicUrl}${path}`;
  }

  sign(fileId: string, nowSeconds = Math.floor(Date.now() / 1000)): string {
    const expires = nowSeconds + this.settings.cached().signedUrlTtlSeconds;
    const path = signedPath(['watch', fileId]);
    const md5 = secureLinkSignature(path.decoded, expires, this.config.stream.secret);
    return `${this.config.http.publicUrl}${path.encoded}?md5=${md5}&expires=${expires}`;
  }
}
