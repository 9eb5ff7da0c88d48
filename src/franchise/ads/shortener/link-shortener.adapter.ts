import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../../core/config/app-config.js';
import { BodyTooLargeError, guardedGet, readAtMost } from '../../../ingest/source-policy/guarded-http.js';
import { parseSourceUrl } from '../../../ingest/source-policy/source-url.js';
import { SsrfGuard } from '../../../ingest/source-policy/ssrf-guard.js';

/** A shortener that has not answered by then is skipped: the download goes direct. */
export const SHORTENER_TIMEOUT_MS = 2000;
const MAX_RESPONSE_BYTES = 64 * 1024;

export class ShortenerFailed extends Error {}

export interface ShortenerApi {
  urlTemplate: string;
  apiKey?: string;
  resultField?: string;
}

/**
 * The one place a link shortener's API is called (GPlinks-style: GET the template with `{url}` and
 * `{key}` filled in, JSON back with the short link in `resultField`). Anything else — HTML, an error
 * status, a redirect, a timeout, a short link that is not http(s) — is a `ShortenerFailed`. A tenant's
 * admin sets the template and any visitor sets off the call, so it goes through the ingest SSRF guard:
 * only public addresses (INGEST_ALLOW_HOSTS exempts hosts), the socket pinned to the checked one, and
 * at most 64 KiB of answer read.
 */
@Injectable()
export class LinkShortenerAdapter {
  private readonly guard: SsrfGuard;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.guard = new SsrfGuard(config.ingest.allowHosts);
  }

  async shorten(api: ShortenerApi, target: string): Promise<string> {
    const url = api.urlTemplate
      .replaceAll('{url}', encodeURIComponent(target))
      .replaceAll('{key}', encodeURIComponent(api.apiKey ?? ''));
    let body: unknown;
    try {
      const source = parseSourceUrl(url);
      if (source.kind !== 'http') throw new ShortenerFailed('the shortener template is not an http(s) URL');
      const { response } = await guardedGet(source.url, {
        guard: this.guard,
        maxRedirects: 0,
        timeoutMs: SHORTENER_TIMEOUT_MS,
        signal: AbortSignal.timeout(SHORTENER_TIMEOUT_MS),
        headers: { accept: 'application/json' },
      });
      const status = response.statusCode ?? 0;
      if (status < 200 || status > 299) {
        response.resume();
        throw new ShortenerFailed(`the shortener answered ${status}`);
      }
      const bytes = await readAtMost(response, MAX_RESPONSE_BYTES).catch((error: unknown) => {
        throw error instanceof BodyTooLargeError
          ? new ShortenerFailed('the shortener answered too much')
          : error;
      });
      body = JSON.parse(bytes.toString('utf8'));
    } catch (error) {
      if (error instanceof ShortenerFailed) throw error;
      throw new ShortenerFailed(`the shortener failed: ${(error as Error).message}`);
    }
    const short = (body as Record<string, unknown> | null)?.[api.resultField ?? 'shortenedUrl'];
    if (typeof short !== 'string' || !/^https?:\/\/[^\s]+$/.test(short) || short.length > 2000)
      throw new ShortenerFailed('the shortener answered without a short link');
    return short;
  }
}
