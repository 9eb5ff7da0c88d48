import { TenantContext } from '../core/tenancy/tenant-context.js';
import { ownerTenantId } from '../core/tenancy/tenant.js';

/**
 * Whether an account belongs to the site this request is for. Every way of proving who one is
 * (password, session, API token, app password, magic link) asks it: an account of tenant A does not
 * exist on tenant B's host, and accounts from before tenancy belong to the default site.
 */
export function inCurrentTenant(user: { tenantId?: string | null }): boolean {
  return ownerTenantId(user) === TenantContext.current().id;
}

/** The tenant id to store on a new account: none for the default site (like records from before). */
export function tenantIdForNewRecord(): string | undefined {
  const id = TenantContext.current().id;
  return ownerTenantId({ tenantId: id }) === ownerTenantId({}) ? undefined : id;
}
