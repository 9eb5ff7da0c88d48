import { type Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../core/config/app-config.js';
import { AppError } from '../core/errors/app-error.js';
import { SettingsService } from '../core/settings/settings.service.js';
import { MEDIA_STORE, type MediaStore, type StoredPart } from '../core/storage/media-store.js';
import { LibraryService } from '../library/library.service.js';
import { type MediaFile } from '../library/schemas/media-file.schema.js';
import { FileRecordCache } from './file-record.cache.js';
import { siteOrigin } from '../core/tenancy/site-origin.js';
import { TenantContext } from '../core/tenancy/tenant-context.js';
import {
  checkSecureLink,
  linkTenant,
  secureLinkSignature,
  signedPath,
  signedQuery,
} from './signing/secure-link.js';

export interface SignedLink {
  url: string;
  expires: number;
}

/** Finding, authorising and reading stored files for HTTP delivery. */
@Injectable()
export class StreamService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(MEDIA_STORE) private readonly store: MediaStore,
    private readonly records: FileRecordCache,
    private readonly settings: SettingsService,
    private readonly library: LibraryService,
  ) {}

  async file(fileId: string): Promise<MediaFile> {
    if (!/^[0-9a-f]{24}$/i.test(fileId)) {
      throw new AppError(400, 'bad_request', `"${fileId.slice(0, 40)}" is not a valid file id.`);
    }
    const file = await this.records.get(fileId);
    // A franchise tenant showing part of the library: a file outside it does not exist there, in the
    // very words a missing one gets (the site cannot tell which it is).
    if (!(await this.library.fileInScope(file))) {
      throw new AppError(404, 'not_found', `No file with id ${String(file._id)}.`);
    }
    return file;
  }

  /**
   * 403 for a missing or wrong signature, or a link of another site (tenant links carry `t`, which is
   * signed too); 410 for a correct one that has expired.
   */
  assertSigned(
    decodedPath: string,
    md5: string | undefined,
    expires: string | undefined,
    tenant: string | undefined,
  ): void {
    const ours = linkTenant(TenantContext.current().id);
    if ((tenant ?? '') !== ours) {
      throw new AppError(403, 'forbidden', 'This link belongs to another site.');
    }
    const check = checkSecureLink(decodedPath, md5, expires, this.config.stream.secret, undefined, ours);
    if (check === 'expired')
      throw new AppError(410, 'link_expired', 'This link has expired; ask for a new one.');
    if (check === 'invalid')
      throw new AppError(403, 'forbidden', 'This link is not signed, or its signature is wrong.');
  }

  /** The stream link of a file: `/stream/<id>/<file name>?md5=&expires=`. */
  sign(file: MediaFile, nowSeconds = Math.floor(Date.now() / 1000)): SignedLink {
    return this.signPath(['stream', String(file._id), file.fileName], nowSeconds);
  }

  /** A signed link to any app path (watch page, subtitle track, stream), valid for SIGNED_URL_TTL (or its Settings override). */
  signPath(segments: string[], nowSeconds = Math.floor(Date.now() / 1000)): SignedLink {
    const expires = nowSeconds + this.settings.cached().signedUrlTtlSeconds;
    const path = signedPath(segments);
    const tenant = TenantContext.current();
    const t = linkTenant(tenant.id);
    const md5 = secureLinkSignature(path.decoded, expires, this.config.stream.secret, t);
    return {
      url: `${siteOrigin(this.config, tenant)}${path.encoded}?${signedQuery(md5, expires, t)}`,
      expires,
    };
  }

  read(file: MediaFile, start: number, endInclusive: number): Readable {
    return this.readParts(file.storage.parts, start, endInclusive);
  }

  readParts(parts: readonly StoredPart[], start: number, endInclusive: number): Readable {
    return this.store.read(parts, start, endInclusive);
  }

  get storeKind(): string {
    return this.store.kind;
  }
}
