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

/**
 * Signed, origin-relative `/stream/<fileId>/<name>` links for the web player: a track or a cover is a
 * stored file like any other, so streamers (and nginx's slice cache) serve it with ranges.
 */
@Injectable()
export class MusicLinks {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly settings: SettingsService,
  ) {}

  file(fileId: string, name: string): string {
    const expires = Math.floor(Date.now() / 1000) + this.settings.cached().signedUrlTtlSeconds;
    const path = signedPath(['stream', fileId, name]);
    const tenant = linkTenant(TenantContext.current().id);
    const md5 = secureLinkSignature(path.decoded, expires, this.config.stream.secret, tenant);
    return `${path.encoded}?${signedQuery(md5, expires, tenant)}`;
  }
}
