import { Injectable } from '@nestjs/common';

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
 * status, a redirect, a timeout, a short link that is not http(s) — is a `ShortenerFailed`.
 */
@Injectable()
export class LinkShortenerAdapter {
  async shorten(api: ShortenerApi, target: string): Promise<string> {
    const url = api.urlTemplate
      .replaceAll('{url}', encodeURIComponent(target))
      .replaceAll('{key}', encodeURIComponent(api.apiKey ?? ''));
    let body: unknown;
    try {
      const res = await fetch(url, {
        headers: { accept: 'application/json' },
        redirect: 'error',
        signal: AbortSignal.timeout(SHORTENER_TIMEOUT_MS),
      });
      const text = await res.text();
      if (!res.ok) throw new ShortenerFailed(`the shortener answered ${res.status}`);
      if (text.length > MAX_RESPONSE_BYTES) throw new ShortenerFailed('the shortener answered too much');
      body = JSON.parse(text);
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
