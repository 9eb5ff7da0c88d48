import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type RequestHandler } from 'express';
import helmet from 'helmet';
import { type AppConfig } from '../config/app-config.js';

const SELF = "'self'";

/**
 * helmet on every response. The CSP allows scripts and styles from this origin only (no inline code,
 * no CDN); media and stills may also come from PUBLIC_URL, where signed links point (nginx in front).
 * Swagger UI (`/api/docs`) ships inline styles, so only there styles may be inline.
 */
export function securityHeaders(config: AppConfig): RequestHandler {
  const { strict, docs } = helmets(config);
  return (req, res, next) => (req.path.startsWith('/api/docs') ? docs : strict)(req, res, next);
}

/**
 * The headers `securityHeaders` sets on every response outside `/api/docs`, worked out once: they do
 * not depend on the request, so a handler outside Express (the streamer's fast path) sets the list.
 */
export function securityHeaderList(config: AppConfig): ReadonlyArray<readonly [string, string]> {
  const headers: [string, string][] = [];
  const capture = {
    setHeader: (name: string, value: unknown) => headers.push([name, String(value)]),
    removeHeader: () => undefined,
  };
  helmets(config).strict({} as IncomingMessage, capture as unknown as ServerResponse, () => undefined);
  return headers;
}

function helmets(config: AppConfig) {
  const publicUrl = new URL(config.http.publicUrl);
  const publicOrigin = publicUrl.origin;
  // Satellite fail-over: the page fetches the signed document from the mirrors and probes the origins
  // it lists (any host, but only of the site's own scheme).
  const satelliteSources = [
    publicUrl.protocol,
    ...config.site.satellite.mirrors.map((mirror) => new URL(mirror).origin),
  ];
  const directives = {
    defaultSrc: [SELF],
    scriptSrc: [SELF],
    styleSrc: [SELF],
    imgSrc: [SELF, 'data:', publicOrigin],
    mediaSrc: [SELF, 'blob:', publicOrigin],
    connectSrc: [SELF, ...new Set(satelliteSources)],
    fontSrc: [SELF],
    objectSrc: ["'none'"],
    baseUri: [SELF],
    formAction: [SELF],
    frameAncestors: ["'none'"],
  };
  const common = {
    // HSTS only means something when the site is served over https.
    strictTransportSecurity: config.auth.secureCookies ? undefined : false,
    crossOriginResourcePolicy: { policy: 'same-site' as const },
  };
  const strict = helmet({ ...common, contentSecurityPolicy: { useDefaults: false, directives } });
  const docs = helmet({
    ...common,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { ...directives, styleSrc: [SELF, "'unsafe-inline'"] },
    },
  });
  return { strict, docs };
}
