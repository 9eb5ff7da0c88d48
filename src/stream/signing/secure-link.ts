import { createHash, timingSafeEqual } from 'node:crypto';
import { DEFAULT_TENANT_ID } from '../../core/tenancy/tenant.js';

/** Empty (the default site) or a tenant's ObjectId: nothing that could end the tenant part early. */
const LINK_TENANT = /^(?:[0-9a-f]{24})?$/;

/**
 * nginx `secure_link_md5 "$secure_link_expires $arg_t|$uri <secret>"` links: the signature is the
 * unpadded base64url MD5 of `${expires} ${tenant}|${uri} ${secret}`, where `uri` is the decoded request
 * path and `tenant` the link's `t` parameter (a franchise tenant's 24-hex id; empty, and no `t`, on the
 * default site). nginx and the app compute the same thing, so either can check a link.
 *
 * The framing is what keeps one site's link from being another's: expires is digits up to the space,
 * the tenant (never a `|`) runs to the first `|`, the path is the rest. With the tenant after the path
 * (`$expires$uri$t`) a tenant's link to `/…/movie.mkv` was also the operator's link to `/…/movie.mkv<t>`,
 * and a decoded path can hold any character, so no separator after it could tell them apart.
 */
export function secureLinkSignature(uri: string, expires: number, secret: string, tenant = ''): string {
  if (!LINK_TENANT.test(tenant)) throw new Error(`Not a tenant a link can carry: ${JSON.stringify(tenant)}`);
  return createHash('md5').update(`${expires} ${tenant}|${uri} ${secret}`).digest('base64url');
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
  if (!LINK_TENANT.test(tenant)) return 'invalid';
  const expected = Buffer.from(secureLinkSignature(uri, Number(expires), secret, tenant));
  const given = Buffer.from(md5);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
  // Like nginx: a correct signature that has run out is "expired" (410), not "forbidden".
  return Number(expires) < nowSeconds ? 'expired' : 'valid';
}

/**
 * A path made of segments, as signed (decoded, like nginx's `$uri`) and as written in a URL. A `/`
 * inside a segment (a file name from an import) becomes `_`: decoded, it would sign another path —
 * a content link to a file named `ad/x` would also open `/stream/<id>/ad/x`, the house-ad path.
 */
export function signedPath(segments: string[]): { decoded: string; encoded: string } {
  const parts = segments.map((segment) => segment.replaceAll('/', '_'));
  return {
    decoded: `/${parts.join('/')}`,
    encoded: `/${parts.map((segment) => encodeURIComponent(segment)).join('/')}`,
  };
}
