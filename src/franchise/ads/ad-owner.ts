import { type Request } from 'express';
import { TenantContext } from '../../core/tenancy/tenant-context.js';
import { DEFAULT_TENANT_ID } from '../../core/tenancy/tenant.js';

/** The owner every single-site install has: the operator's own site (the default tenant). */
export const DEFAULT_AD_OWNER = DEFAULT_TENANT_ID;

/**
 * Whose ads, settings and statistics a request concerns: the request's tenant. Everything in
 * `src/franchise/ads` is keyed by this one value (Mongo `_id`s, Redis keys).
 */
export function adOwnerOf(_request: Request): string {
  return TenantContext.current().id;
}
