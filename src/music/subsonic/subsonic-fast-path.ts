import { type IncomingMessage, type ServerResponse } from 'node:http';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { FastPaths } from '../../core/http/fast-paths.js';
import { TenantContext } from '../../core/tenancy/tenant-context.js';
import { TenantResolver } from '../../core/tenancy/tenant-resolver.js';
import { MusicMediaService } from '../streaming/music-media.service.js';
import { planTranscode } from '../streaming/transcode-format.js';
import { SubsonicAuth } from './subsonic-auth.js';
import { SubsonicParams } from './subsonic-params.js';

/** Subsonic's raw byte calls, as the Express routes match them. */
const RAW_BYTES_PATH = /^\/rest\/(stream|download)(?:\.view)?$/;

/**
 * A player streaming track after track sends the same credentials with every request: once a
 * request has been authenticated in full (through Express, `SubsonicMediaController`), the next ones
 * for original bytes (`stream` without a transcode, `download`) are answered before Express, like
 * signed `/stream` links (StreamFastPath) — the Express pipeline cost more than the bytes of a track.
 * Anything else (credentials not remembered, a transcode, a feature switched off, any error before a
 * byte is written) goes on to Express untouched, which answers it the Subsonic way.
 */
@Injectable()
export class SubsonicFastPath implements OnModuleInit {
  constructor(
    private readonly fastPaths: FastPaths,
    private readonly tenants: TenantResolver,
    private readonly auth: SubsonicAuth,
    private readonly media: MusicMediaService,
  ) {}

  onModuleInit(): void {
    this.fastPaths.register((req, res, next) => this.handle(req, res, next));
  }

  handle(req: IncomingMessage, res: ServerResponse, next: () => void): boolean {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const url = req.url ?? '';
    const queryAt = url.indexOf('?');
    if (queryAt === -1) return false;
    const match = RAW_BYTES_PATH.exec(url.slice(0, queryAt));
    if (!match) return false;
    void this.serve(req, res, match[1] === 'download', new URLSearchParams(url.slice(queryAt + 1)), next);
    return true;
  }

  private async serve(
    req: IncomingMessage,
    res: ServerResponse,
    download: boolean,
    query: URLSearchParams,
    next: () => void,
  ): Promise<void> {
    let served = false;
    try {
      const resolution = await this.tenants.resolve(req);
      if ('refusal' in resolution || !resolution.tenant.features.music) return next();
      served = await TenantContext.run(resolution.tenant, async () => {
        const params = SubsonicParams.from(recordOf(query));
        const id = params.string('id');
        if (!id || !(await this.auth.remembered(params))) return false;
        const { track, file } = await this.media.track(id);
        if (!download) {
          const plan = planTranscode(
            track,
            params.string('format'),
            params.int('maxBitRate', 0, 0, 10000),
            params.int('timeOffset', 0, 0, 24 * 3600),
          );
          if (plan) return false;
        }
        this.fastPaths.setAnswerHeaders(req, res);
        await this.media.sendOriginal(req, res, file, download ? 'attachment' : 'inline');
        return true;
      });
    } catch {
      // Answered below by Express (which reports it), or cut off if bytes were already out.
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
    }
    if (served) return;
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    next();
  }
}

/** The query as Express's `req.query` gives it (a repeated name: an array). */
function recordOf(query: URLSearchParams): Record<string, string | string[]> {
  const record: Record<string, string | string[]> = {};
  for (const name of new Set(query.keys())) {
    const values = query.getAll(name);
    record[name] = values.length === 1 ? values[0] : values;
  }
  return record;
}
