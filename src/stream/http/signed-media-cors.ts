import { type NextFunction, type Request, type Response } from 'express';

/**
 * A signed media link is its own credential (no cookie involved), and the public artwork holds nothing
 * private: players on other origins — Stremio Web, the add-on's clients — may load and read them. The
 * helmet default (`Cross-Origin-Resource-Policy: same-site`) would make browsers refuse them there.
 */
export const CROSS_ORIGIN_MEDIA_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['access-control-allow-origin', '*'],
  ['access-control-expose-headers', 'Accept-Ranges, Content-Length, Content-Range, ETag'],
  ['cross-origin-resource-policy', 'cross-origin'],
];

const ARTWORK = /^\/media\/artwork\//;

/** Express middleware for `/stream`, `/subtitles` and `/media`: signed or public answers only. */
export function signedMediaCors(req: Request, res: Response, next: NextFunction): void {
  const url = req.originalUrl;
  const query = url.indexOf('?');
  const signed = query !== -1 && /(^|&)(md5|expires)=/.test(url.slice(query + 1));
  if (signed || ARTWORK.test(url)) {
    for (const [name, value] of CROSS_ORIGIN_MEDIA_HEADERS) res.setHeader(name, value);
  }
  next();
}
