import { type Request } from 'express';

/** Paths whose errors stay JSON even for a browser: APIs, media bytes, machine endpoints, the panel. */
const MACHINE_PATHS = /^\/(api|stream|subtitles|media|healthz|metrics|sign|admin|bot|satellite)(\/|\.|$)/;

/**
 * Whether an error should be shown as a page in the site's style: a browser navigating (GET/HEAD, or
 * a plain form post, which browsers mark `Sec-Fetch-Mode: navigate`; HTML preferred over JSON) to a
 * page path. `fetch()` and API clients keep `{error, message}`.
 */
export function wantsErrorPage(req: Request): boolean {
  const navigating = req.method === 'GET' || req.method === 'HEAD' || req.get('sec-fetch-mode') === 'navigate';
  if (!navigating) return false;
  if (MACHINE_PATHS.test(req.path)) return false;
  return req.accepts(['json', 'html']) === 'html';
}

const HEADINGS: Readonly<Record<number, string>> = {
  400: 'That request did not make sense',
  402: 'Streaming is paused',
  403: 'Not allowed',
  404: 'Nothing here',
  410: 'This link has expired',
  429: 'Slow down a little',
};

/** What the error page shows: a heading per status, the error's sentence, and a way on. */
export function errorPageData(status: number, message: string, path: string) {
  const heading = HEADINGS[status] ?? (status >= 500 ? 'Something went wrong on our side' : 'That did not work');
  return {
    pageTitle: heading,
    status,
    heading,
    message: status >= 500 ? 'Please try again in a moment.' : message,
    renew: status === 410 ? renewalPath(path) : undefined,
  };
}

/**
 * Where a fresh link comes from: the player page of the file an expired `/watch`, `/play` or `/stream`
 * link pointed at signs a new one for the visitor.
 */
function renewalPath(path: string): string {
  const fileId = /^\/(?:watch|play|stream|subtitles)\/([0-9a-f]{24})(?:\/|$)/i.exec(path)?.[1];
  return fileId ? `/play/${fileId.toLowerCase()}` : '/';
}
