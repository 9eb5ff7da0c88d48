import { Inject, Injectable, Logger } from '@nestjs/common';
import { Types } from 'mongoose';
import { UserService } from '../../auth/user.service.js';
import { APP_CONFIG, type AppConfig } from '../../core/config/app-config.js';
import { AppError } from '../../core/errors/app-error.js';
import { RedisMutex } from '../../core/redis/redis-mutex.js';
import { TenantDependents } from '../../core/tenancy/tenant-dependents.js';
import { TenantDirectory } from '../../core/tenancy/tenant-directory.js';
import { TenantUsageRepository } from '../../core/tenancy/tenant-usage.repository.js';
import { normalizeDomain, normalizeHost } from '../../core/tenancy/tenant-host.js';
import { TenantRepository } from '../../core/tenancy/tenant.repository.js';
import { slugKey } from '../../core/tenancy/tenant.schema.js';
import {
  ALL_FEATURES,
  type Tenant,
  type TenantBranding,
  type TenantQuotas,
  type TenantScope,
  WHOLE_LIBRARY,
} from '../../core/tenancy/tenant.js';
import { type CreateTenantDto } from './dto/create-tenant.dto.js';
import { type QuotasDto, type ScopeDto } from './dto/tenant-settings.dto.js';
import { type UpdateTenantDto } from './dto/update-tenant.dto.js';
import { TENANT_LOCK_OPTIONS, tenantLock } from './tenant-lock.js';

/**
 * The operator's tenant management: create, change (domains, status, plan, quotas, scope, branding),
 * delete. Domains and slugs are claimed in `tenant_keys` first, so two tenants can never hold the same
 * host; every change is announced so every process's tenant cache drops it.
 */
@Injectable()
export class TenantsService {
  private readonly logger = new Logger('franchise');
  private readonly installHost: string;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly tenants: TenantRepository,
    private readonly directory: TenantDirectory,
    private readonly users: UserService,
    private readonly dependents: TenantDependents,
    private readonly usage: TenantUsageRepository,
    private readonly mutex: RedisMutex,
  ) {
    this.installHost = normalizeHost(new URL(config.http.publicUrl).host)!;
  }

  list(): Promise<Tenant[]> {
    return this.tenants.list();
  }

  async get(id: string): Promise<Tenant> {
    const tenant = Types.ObjectId.isValid(id) ? await this.tenants.findById(id) : undefined;
    if (!tenant) throw new AppError(404, 'not_found', 'No tenant has this id.');
    return tenant;
  }

  async create(dto: CreateTenantDto): Promise<Tenant> {
    const domains = this.domains(dto.domains);
    const tenant: Tenant = {
      id: new Types.ObjectId().toHexString(),
      slug: dto.slug,
      name: dto.name,
      domains,
      status: 'active',
      plan: dto.plan ? { ...dto.plan } : { name: 'standard' },
      branding: mergeBranding({}, dto.branding),
      scope: scopeFrom(dto.scope),
      features: { ...ALL_FEATURES, ...definedOnly(dto.features ?? {}) },
      quotas: mergeQuotas({}, dto.quotas),
    };
    const taken = await this.tenants.claim([slugKey(tenant.slug), ...domains], tenant.id);
    if (taken) throw conflict(taken);
    try {
      await this.tenants.insert(tenant);
    } catch (error) {
      await this.tenants.release([slugKey(tenant.slug), ...domains], tenant.id);
      throw error;
    }
    await this.directory.changed();
    return this.get(tenant.id);
  }

  /**
   * Under the tenant's lock (as deletes are): two changes read-merge-write the same document, and
   * each claims and releases domains by what it read.
   */
  async update(id: string, dto: UpdateTenantDto): Promise<Tenant> {
    const updated = await this.mutex.withLock(
      tenantLock(id),
      () => this.updateLocked(id, dto),
      TENANT_LOCK_OPTIONS,
    );
    await this.directory.changed();
    return updated;
  }

  private async updateLocked(id: string, dto: UpdateTenantDto): Promise<Tenant> {
    const tenant = await this.get(id);
    const changes: Partial<Tenant> = {};
    let released: string[] = [];
    if (dto.domains) {
      const domains = this.domains(dto.domains);
      const taken = await this.tenants.claim(
        domains.filter((domain) => !tenant.domains.includes(domain)),
        tenant.id,
      );
      if (taken) throw conflict(taken);
      changes.domains = domains;
      released = tenant.domains.filter((domain) => !domains.includes(domain));
    }
    if (dto.name !== undefined) changes.name = dto.name;
    if (dto.status !== undefined) changes.status = dto.status;
    if (dto.plan) changes.plan = { ...dto.plan };
    if (dto.scope) changes.scope = scopeFrom(dto.scope);
    if (dto.features) changes.features = { ...tenant.features, ...definedOnly(dto.features) };
    if (dto.quotas) changes.quotas = mergeQuotas(tenant.quotas, dto.quotas);
    if (dto.branding) changes.branding = mergeBranding(tenant.branding, dto.branding);
    await this.tenants.update(tenant.id, changes);
    await this.tenants.release(released, tenant.id);
    return this.get(tenant.id);
  }

  /**
   * Refused (409) while the tenant has accounts, unless `purge`. Deleting a tenant removes everything
   * it has: what other modules keep for it (comments, its accounts' progress, ads: `TenantDependents`),
   * its usage rows and counters, its accounts with their names and credentials, and its domain and
   * slug claims. The tenant itself goes last, so a purge that fails half-way can simply be repeated.
   */
  async delete(id: string, purge = false): Promise<void> {
    await this.mutex.withLock(tenantLock(id), () => this.deleteLocked(id, purge), {
      ...TENANT_LOCK_OPTIONS,
      renew: true,
    });
  }

  private async deleteLocked(id: string, purge: boolean): Promise<void> {
    const tenant = await this.get(id);
    const accounts = (await this.users.listForTenant(tenant.id)).map((account) => account.id);
    if (accounts.length > 0 && !purge) {
      throw new AppError(
        409,
        'tenant_has_data',
        `${tenant.name} has ${accounts.length} account(s); delete with ?purge=true to remove them too.`,
      );
    }
    for (const dependent of this.dependents.all()) {
      await dependent.purgeTenant(tenant.id, accounts);
      this.logger.log(`purged tenant ${tenant.slug}: ${dependent.name}`);
    }
    await this.usage.purge(tenant.id);
    await this.users.deleteForTenant(tenant.id);
    await this.tenants.delete(tenant.id);
    await this.directory.changed();
    this.logger.log(`deleted tenant ${tenant.slug} (${tenant.id}) and ${accounts.length} account(s)`);
  }

  /** Normalized, deduplicated domains; a bad one, or the install's own host, is refused. */
  private domains(raw: readonly string[]): string[] {
    const domains: string[] = [];
    for (const entry of raw) {
      const domain = normalizeDomain(entry);
      if (!domain) {
        throw new AppError(
          400,
          'bad_request',
          `"${entry.slice(0, 100)}" is not a domain name (no port, scheme or path).`,
        );
      }
      if (domain === this.installHost) {
        throw new AppError(409, 'conflict', `${domain} is this install's own host (the default site).`);
      }
      if (!domains.includes(domain)) domains.push(domain);
    }
    return domains;
  }
}

function conflict(key: string): AppError {
  return key.startsWith('slug:')
    ? new AppError(409, 'conflict', `Another tenant already has the slug "${key.slice(5)}".`)
    : new AppError(409, 'conflict', `Another tenant already serves ${key}.`);
}

function scopeFrom(dto: ScopeDto | undefined): TenantScope {
  if (!dto || dto.mode === 'all') return { ...WHOLE_LIBRARY };
  return {
    mode: 'filtered',
    kinds: [...new Set(dto.kinds ?? [])],
    genres: [...new Set((dto.genres ?? []).map((genre) => genre.trim().toLowerCase()))],
    collections: [...new Set(dto.collections ?? [])],
  };
}

function mergeQuotas(current: TenantQuotas, dto: QuotasDto | undefined): TenantQuotas {
  const quotas: TenantQuotas = { ...current };
  for (const key of ['concurrentStreams', 'gibPerMonth', 'commentsPerDay'] as const) {
    const value = dto?.[key];
    if (value === null) delete quotas[key];
    else if (value !== undefined) quotas[key] = value;
  }
  return quotas;
}

type BrandingChange = Partial<Record<Exclude<keyof TenantBranding, 'colors'>, string | null>> & {
  colors?: Partial<Record<keyof NonNullable<TenantBranding['colors']>, string | null>>;
};

/** The branding with `change` applied: a value replaces, null takes away (the default again). */
function mergeBranding(current: TenantBranding, change: BrandingChange | undefined): TenantBranding {
  if (!change) return { ...current };
  const { colors, ...rest } = change;
  const branding = applyChange({ ...current }, rest) as TenantBranding;
  if (colors) {
    const merged = applyChange({ ...current.colors }, colors);
    if (Object.keys(merged).length > 0) branding.colors = merged;
    else delete branding.colors;
  }
  return branding;
}

function applyChange<T extends Record<string, unknown>>(
  current: T,
  change: Record<string, string | null | undefined>,
): Record<string, unknown> {
  const result: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(change)) {
    if (value === null) delete result[key];
    else if (value !== undefined) result[key] = value;
  }
  return result;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
