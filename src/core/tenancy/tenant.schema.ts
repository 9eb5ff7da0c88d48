import { Schema } from 'mongoose';
import { type Tenant, TENANT_STATUSES } from './tenant.js';

/** A tenant as stored: its id is `_id`; the nested settings are plain sub-documents. */
export type TenantDocument = Omit<Tenant, 'id'> & { _id: string };

export const tenantSchema = new Schema<TenantDocument>(
  {
    _id: { type: String, required: true },
    slug: { type: String, required: true },
    name: { type: String, required: true },
    domains: { type: [String], default: [] },
    status: { type: String, enum: TENANT_STATUSES, required: true },
    plan: { type: Schema.Types.Mixed, required: true },
    branding: { type: Schema.Types.Mixed, default: {} },
    scope: { type: Schema.Types.Mixed, required: true },
    features: { type: Schema.Types.Mixed, required: true },
    quotas: { type: Schema.Types.Mixed, default: {} },
  },
  { collection: 'tenants', versionKey: false, timestamps: true, minimize: false },
);

/**
 * Natural keys of tenants, one document each with the key as `_id`: `<domain>` for each domain (so a
 * request's host is one `_id` read) and `slug:<slug>`. Inserting the key is what claims it.
 */
export interface TenantKey {
  _id: string;
  tenantId: string;
}

export const tenantKeySchema = new Schema<TenantKey>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
  },
  { collection: 'tenant_keys', versionKey: false },
);
tenantKeySchema.index({ tenantId: 1 });

export const slugKey = (slug: string) => `slug:${slug}`;
