import { type Request } from 'express';

/** The owner every single-site install has: the operator's own site. */
export const DEFAULT_AD_OWNER = 'default';

/**
 * Whose ads, settings and statistics a request concerns. Everything in `src/franchise/ads` is keyed by
 * this one value (Mongo `_id`s, Redis keys); with tenants it becomes the request's tenant id.
 */
export function adOwnerOf(_request: Request): string {
  return DEFAULT_AD_OWNER;
}
