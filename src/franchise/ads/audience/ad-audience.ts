import { Injectable } from '@nestjs/common';
import { type Identity } from '../../../core/identity/identity.js';
import { AdFreeAccountsRepository } from './ad-free-accounts.repository.js';

/** Who sees ads: everyone but admins and the accounts the owner marked ad-free. */
@Injectable()
export class AdAudience {
  constructor(private readonly adFree: AdFreeAccountsRepository) {}

  async seesAds(owner: string, identity: Identity | undefined): Promise<boolean> {
    if (identity?.kind !== 'user') return true;
    if (identity.role === 'admin') return false;
    return !(await this.adFree.isAdFree(owner, identity.id));
  }
}
