import { type TenantFeatures } from './tenant.js';

/**
 * Which feature a request path belongs to, for a tenant that switched features off (those paths are
 * then 404 there). Media bytes (`/stream`) serve every kind and are not listed: their pages, APIs and
 * signing are. The download feature is the player's download button (see views/site/player.hbs).
 */
const FEATURE_PATHS: readonly [keyof TenantFeatures, RegExp, RegExp?][] = [
  ['music', /^\/(music|api\/music|rest)(\/|$)/],
  ['manga', /^\/(read|api\/readvault|opds)(\/|$)/],
  ['video', /^\/(play|watch|subtitles)(\/|$)/],
  ['comments', /^\/api\/titles\/[^/]+\/(episodes\/[^/]+\/[^/]+\/)?comments(\/|$)/],
  // The site's comment forms post to the title and player pages.
  ['comments', /^\/(title|play)\/[^/]+\/comments(\/|$)/],
  // The download button's redirect (through the tenant's link shortener when ads are on).
  ['download', /^\/ads\/download(\/|$)/],
];

export function featureOfPath(path: string): keyof TenantFeatures | undefined {
  return FEATURE_PATHS.find(([, pattern]) => pattern.test(path))?.[0];
}
