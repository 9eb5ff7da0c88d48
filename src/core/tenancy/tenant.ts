/** The id of the operator's own site; a single-site install only ever sees this tenant. */
export const DEFAULT_TENANT_ID = 'default';

export const TENANT_STATUSES = ['active', 'suspended'] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];

export const TITLE_KINDS = ['movie', 'series', 'anime', 'manga', 'album'] as const;
export type ScopeKind = (typeof TITLE_KINDS)[number];

/**
 * Which titles a tenant shows: everything, or the titles of any listed kind or genre plus the hand-picked
 * collection. (Titles carry no tags, so there is no tag rule.)
 */
export interface TenantScope {
  mode: 'all' | 'filtered';
  kinds: ScopeKind[];
  genres: string[];
  /** Title ids an administrator picked by hand. */
  collections: string[];
}

export interface TenantFeatures {
  video: boolean;
  manga: boolean;
  music: boolean;
  comments: boolean;
  download: boolean;
}

/** Limits; an absent limit is no limit. */
export interface TenantQuotas {
  concurrentStreams?: number;
  gibPerMonth?: number;
  commentsPerDay?: number;
}

export interface TenantBranding {
  siteName?: string;
  logo?: string;
  favicon?: string;
  footer?: string;
  colors?: { primary?: string; background?: string; text?: string };
}

export interface TenantPlan {
  name: string;
  /** Monthly price for the usage report; billing itself happens elsewhere. */
  priceCents?: number;
}

/** A site run on this install under its own domains. */
export interface Tenant {
  id: string;
  slug: string;
  name: string;
  domains: string[];
  status: TenantStatus;
  plan: TenantPlan;
  branding: TenantBranding;
  scope: TenantScope;
  features: TenantFeatures;
  quotas: TenantQuotas;
  createdAt?: Date;
  updatedAt?: Date;
}

export const ALL_FEATURES: Readonly<TenantFeatures> = Object.freeze({
  video: true,
  manga: true,
  music: true,
  comments: true,
  download: true,
});

export const WHOLE_LIBRARY: Readonly<TenantScope> = Object.freeze({
  mode: 'all',
  kinds: [],
  genres: [],
  collections: [],
});

/** The operator's site: everything in scope, every feature, no quota, the install's own branding. */
export const DEFAULT_TENANT: Readonly<Tenant> = Object.freeze({
  id: DEFAULT_TENANT_ID,
  slug: DEFAULT_TENANT_ID,
  name: 'Default site',
  domains: [],
  status: 'active',
  plan: { name: 'operator' },
  branding: {},
  scope: { ...WHOLE_LIBRARY },
  features: { ...ALL_FEATURES },
  quotas: {},
});

export function isDefaultTenant(tenant: Pick<Tenant, 'id'>): boolean {
  return tenant.id === DEFAULT_TENANT_ID;
}

/** The tenant a stored record belongs to: records from before tenancy belong to the default site. */
export function ownerTenantId(record: { tenantId?: string | null }): string {
  return record.tenantId ?? DEFAULT_TENANT_ID;
}

/** The tenant id a new record stores: none on the default site (like records from before tenancy). */
export function recordTenantId(tenantId: string): string | undefined {
  return tenantId === DEFAULT_TENANT_ID ? undefined : tenantId;
}

/**
 * A per-site key for something every site has its own of (a title's comment thread): the key itself
 * on the default site, `<tenant>:<key>` on a tenant's.
 */
export function perSiteKey(tenantId: string | null | undefined, key: string): string {
  const owner = recordTenantId(tenantId ?? DEFAULT_TENANT_ID);
  return owner ? `${owner}:${key}` : key;
}
