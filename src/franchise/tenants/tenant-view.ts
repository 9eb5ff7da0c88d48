import { type Tenant } from '../../core/tenancy/tenant.js';

/** A tenant as the operator API shows it. */
export function tenantView(tenant: Tenant) {
  return {
    id: tenant.id,
    slug: tenant.slug,
    name: tenant.name,
    domains: tenant.domains,
    status: tenant.status,
    plan: tenant.plan,
    branding: tenant.branding,
    scope: tenant.scope,
    features: tenant.features,
    quotas: tenant.quotas,
    createdAt: tenant.createdAt,
    updatedAt: tenant.updatedAt,
  };
}
