import { createHash, timingSafeEqual } from 'node:crypto';
import { DEFAULT_TENANT_ID } from '../../core/tenancy/tenant.js';

/**
 * nginx `secure_link_md5 "$secure_link_expires$uri$arg_t <secret>"` links: the signature is the unpadded
 * base64url MD5 of `${expires}${uri}${tenant} ${secret}`, where `uri` is the decoded request path and
 * `tenant` the link's `t` parameter (a franchise tenant's id; empty, and no `t`, on the default site).
 * nginx and the app compute the same thing, so either can check a link.
 */
export function secureLinkSignature(uri: string, expires: number, secret: string, tenant = ''): string {
  return createHash('md5').update(`${expires}${uri}${tenant} ${secret}`).digest('base64url');
}

/** What a link carries for its tenant: the id, or nothing for the default site. */
export function linkTenant(tenantId: string): string {
  return tenantId === DEFAULT_TENANT_ID ? '' : tenantId;
}

/** A signed link's query string (`md5`, `expires`, and `t` for a tenant's link). */
export function signedQuery(md5: string, expires: number, tenant: string): string {
  return `md5=${md5}&expires=${expires}${tenant ? `&t=${encodeURIComponent(tenant)}` : ''}`;
}

export type LinkCheck = 'valid' | 'invalid' | 'expired';

export function checkSecureLink(
  uri: string,
  md5: string | undefined,
  expires: string | undefined,
  secret: string,
  nowSeconds = Math.floor(Date.now() / 1000),
  tenant = '',
): LinkCheck {
  // No leading zero: nginx signs the text as sent, so "0179…" is not the link "179…" was signed as.
  if (!md5 || !expires || !/^[1-9]\d{0,11}$/.test(expires) || !/^[A-Za-z0-9_-]{22}$/.test(md5))
    return 'invalid';
  const expected = Buffer.from(secureLinkSignature(uri, Number(expires), secret, tenant));
  const given = Buffer.from(md5);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
  // Like nginx: a correct signature that has run out is "expired" (410), not "forbidden".
  return Number(expires) < nowSeconds ? 'expired' : 'valid';
}

/** A path made of segments, as signed (decoded, like nginx's `$uri`) and as written in a URL. */
export function signedPath(segments: string[]): { decoded: string; encoded: string } {
  return {
    decoded: `/${segments.join('/')}`,
    encoded: `/${segments.map((segment) => encodeURIComponent(segment)).join('/')}`,
  };
}
