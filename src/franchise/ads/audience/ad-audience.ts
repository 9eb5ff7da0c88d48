import { Injectable } from '@nestjs/common';
import { type Identity, type UserRole } from '../../../core/identity/identity.js';
import { AdFreeAccountsRepository } from './ad-free-accounts.repository.js';

/** The operator's admins and a site's own admins run it: they never see its ads. */
export function runsTheSite(role: UserRole | undefined): boolean {
  return role === 'admin' || role === 'tenant-admin';
}

/** Who sees ads: everyone but the site's admins and the accounts the owner marked ad-free. */
@Injectable()
export class AdAudience {
  constructor(private readonly adFree: AdFreeAccountsRepository) {}

  async seesAds(owner: string, identity: Identity | undefined): Promise<boolean> {
    if (identity?.kind !== 'user') return true;
    if (runsTheSite(identity.role)) return false;
    return !(await this.adFree.isAdFree(owner, identity.id));
  }
}
