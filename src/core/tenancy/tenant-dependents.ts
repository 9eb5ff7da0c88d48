import { Injectable } from '@nestjs/common';
import { Registry } from '../util/registry.js';

/**
 * A module that keeps data of its own for a franchise tenant (its comments, its accounts' progress,
 * its ad settings and statistics): when the tenant is purged it removes that data.
 */
export interface TenantDependent {
  /** What it keeps, for logs ("comments"). */
  readonly name: string;
  /** `accountIds`: the tenant's accounts, deleted right after every dependent has run. */
  purgeTenant(tenantId: string, accountIds: readonly string[]): Promise<void>;
}

/**
 * Who keeps what for a tenant, so purging one leaves nothing behind in modules the franchise module
 * does not know. Modules register at init (like the library's TitleDependents).
 */
@Injectable()
export class TenantDependents extends Registry<TenantDependent> {}
