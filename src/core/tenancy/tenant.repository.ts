import { Injectable } from '@nestjs/common';
import { type Model } from 'mongoose';
import { isDuplicateKeyError, MongoConnection } from '../database/mongo-connection.js';
import { type Tenant } from './tenant.js';
import { type TenantDocument, type TenantKey, tenantKeySchema, tenantSchema } from './tenant.schema.js';

/** The `tenants` and `tenant_keys` collections. */
@Injectable()
export class TenantRepository {
  private readonly tenants: Model<TenantDocument>;
  private readonly keys: Model<TenantKey>;

  constructor(mongo: MongoConnection) {
    this.tenants = mongo.connection.model<TenantDocument>('Tenant', tenantSchema);
    this.keys = mongo.connection.model<TenantKey>('TenantKey', tenantKeySchema);
  }

  async findById(id: string): Promise<Tenant | undefined> {
    const document = await this.tenants.findById(id).lean<TenantDocument>().exec();
    return document ? toTenant(document) : undefined;
  }

  /** The tenant holding `key` (a domain or `slug:<slug>`). */
  async ownerOf(key: string): Promise<string | undefined> {
    const document = await this.keys.findById(key).lean<TenantKey>().exec();
    return document?.tenantId;
  }

  /** Every tenant (a short list: this is the operator's page, never a viewer's path). */
  async list(): Promise<Tenant[]> {
    const documents = await this.tenants.find().lean<TenantDocument[]>().exec();
    return documents.map(toTenant).sort((a, b) => a.slug.localeCompare(b.slug));
  }

  async insert(tenant: Tenant): Promise<void> {
    const { id, ...rest } = tenant;
    await this.tenants.create({ _id: id, ...rest });
  }

  /**
   * Replaces the given top-level fields whole, by rewriting the document: a `$set` of a sub-document
   * whose keys differ from the stored one's left it unchanged on FerretDB 1.24. The operator's edits
   * are rare and serial, so read-and-replace is enough.
   */
  async update(id: string, changes: Partial<Omit<Tenant, 'id' | 'slug'>>): Promise<void> {
    const current = await this.tenants.findById(id).lean<TenantDocument>().exec();
    if (!current) return;
    await this.tenants.replaceOne({ _id: id }, { ...current, ...changes, updatedAt: new Date() }).exec();
  }

  async delete(id: string): Promise<void> {
    await this.tenants.deleteOne({ _id: id }).exec();
    await this.keys.deleteMany({ tenantId: id }).exec();
  }

  /**
   * Claims every key for `tenantId`; a key already its own is kept. When any is held by another tenant,
   * the ones claimed here are released again and that key is returned.
   */
  async claim(keys: readonly string[], tenantId: string): Promise<string | undefined> {
    const claimed: string[] = [];
    for (const key of keys) {
      try {
        await this.keys.create({ _id: key, tenantId });
        claimed.push(key);
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        const owner = await this.ownerOf(key);
        if (owner === tenantId) continue;
        // Left by a tenant deleted while a change of its domains ran: nobody's, so taken over.
        if (owner && !(await this.tenants.exists({ _id: owner }).exec())) {
          await this.keys.deleteOne({ _id: key, tenantId: owner }).exec();
          if ((await this.claim([key], tenantId)) === undefined) {
            claimed.push(key);
            continue;
          }
        }
        await this.release(claimed, tenantId);
        return key;
      }
    }
    return undefined;
  }

  async release(keys: readonly string[], tenantId: string): Promise<void> {
    if (keys.length === 0) return;
    await this.keys.deleteMany({ _id: { $in: keys }, tenantId }).exec();
  }
}

function toTenant(document: TenantDocument): Tenant {
  const { _id, ...rest } = document;
  return { id: _id, ...rest };
}
