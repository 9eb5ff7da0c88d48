import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../core/config/app-config.js';
import { BodyTooLargeError, guardedGet, readAtMost } from '../../ingest/source-policy/guarded-http.js';
import { parseSourceUrl } from '../../ingest/source-policy/source-url.js';
import { SsrfGuard } from '../../ingest/source-policy/ssrf-guard.js';

/** Posters are a few hundred KiB; anything much larger is not a poster. */
export const MAX_ARTWORK_BYTES = 15 * 1024 * 1024;

export class ArtworkFetchError extends Error {
  override name = 'ArtworkFetchError';
  constructor(
    message: string,
    /** Worth retrying later (the host is down, 5xx), as opposed to a refused or broken source. */
    readonly transient: boolean,
  ) {
    super(message);
  }
}

/**
 * Downloads a catalogue image through the ingest SSRF guard (every hop checked, the socket pinned to
 * the approved address; INGEST_ALLOW_HOSTS exempts hosts), bounded in size and time.
 */
@Injectable()
export class ArtworkFetcher {
  private readonly guard: SsrfGuard;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.guard = new SsrfGuard(config.ingest.allowHosts);
  }

  async fetch(source: string): Promise<Buffer> {
    let response;
    try {
      const parsed = parseSourceUrl(source);
      if (parsed.kind !== 'http') throw new Error('not an http(s) image URL');
      ({ response } = await guardedGet(parsed.url, {
        guard: this.guard,
        timeoutMs: 20000,
        headers: { accept: 'image/*' },
      }));
    } catch (error) {
      throw new ArtworkFetchError(`${source}: ${(error as Error).message}`, isNetworkError(error));
    }
    const status = response.statusCode ?? 0;
    if (status !== 200) {
      response.resume();
      throw new ArtworkFetchError(`${source} answered HTTP ${status}`, status >= 500 || status === 429);
    }
    const declared = Number(response.headers['content-length'] ?? 0);
    if (declared > MAX_ARTWORK_BYTES) {
      response.destroy();
      throw new ArtworkFetchError(`${source} is ${declared} bytes, over ${MAX_ARTWORK_BYTES}`, false);
    }
    try {
      return await readAtMost(response, MAX_ARTWORK_BYTES);
    } catch (error) {
      if (error instanceof BodyTooLargeError)
        throw new ArtworkFetchError(`${source} is over ${MAX_ARTWORK_BYTES} bytes`, false);
      throw error;
    }
  }
}

function isNetworkError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  return ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'EHOSTUNREACH'].includes(code);
}
