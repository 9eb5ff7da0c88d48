import { type Tenant, isDefaultTenant } from '../../core/tenancy/tenant.js';

/** A stored page never changes (its chapter's CBZ is fixed once stored): browsers keep it a week. */
const BROWSER_WEEK = 'max-age=604800, immutable';

/**
 * How long the front nginx (nginx/streamvault.conf) may keep a default-site page, in seconds
 * (`X-Accel-Expires`, which nginx reads and does not pass on): page turns of a chapter many people
 * read never reach Node, and a deleted chapter's pages leave that shared cache within 10 minutes.
 */
export const FRONT_CACHE_SECONDS = '600';

/**
 * The caching headers of a page answered on `site`, as name/value pairs (like `securityHeaderList`).
 * The default site's pages are public and may be kept by the front cache; a franchise tenant's
 * depend on its scope, features and suspension, judged on every request, so only the viewer's own
 * browser keeps them.
 */
export function pageCachingHeaders(site: Pick<Tenant, 'id'>): ReadonlyArray<readonly [string, string]> {
  return isDefaultTenant(site)
    ? [
        ['Cache-Control', `public, ${BROWSER_WEEK}`],
        ['X-Accel-Expires', FRONT_CACHE_SECONDS],
      ]
    : [['Cache-Control', `private, ${BROWSER_WEEK}`]];
}
