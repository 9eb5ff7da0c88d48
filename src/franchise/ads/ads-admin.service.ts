import { runsTheSite } from './audience/ad-audience.js';
import { Injectable } from '@nestjs/common';
import { AppError } from '../../core/errors/app-error.js';
import { UserService, type UserView } from '../../auth/user.service.js';
import { AdFreeAccountsRepository } from './audience/ad-free-accounts.repository.js';
import { type AdsSettings } from './dto/ads-settings.dto.js';
import { AdSettingsService } from './settings/ad-settings.service.js';
import { AdsSettingsPolicy } from './settings/ads-settings.policy.js';

export interface AdFreeView {
  id: string;
  username: string;
  role: UserView['role'];
  adFree: boolean;
}

/** What an owner's admin manages: the ad settings and which accounts see no ads. */
@Injectable()
export class AdsAdminService {
  constructor(
    private readonly settings: AdSettingsService,
    private readonly policy: AdsSettingsPolicy,
    private readonly adFree: AdFreeAccountsRepository,
    private readonly users: UserService,
  ) {}

  settingsOf(owner: string): Promise<AdsSettings> {
    return this.settings.get(owner);
  }

  async saveSettings(owner: string, settings: AdsSettings, by: string): Promise<AdsSettings> {
    await this.policy.check(settings);
    return this.settings.save(owner, settings, by);
  }

  /** Viewer accounts with their ad-free mark (a site's admins never see ads, so they are not listed). */
  async accounts(owner: string): Promise<AdFreeView[]> {
    const marked = new Set(await this.adFree.list(owner));
    return (await this.users.listForTenant(owner))
      .filter((user) => !runsTheSite(user.role))
      .map((user) => ({
        id: user.id,
        username: user.username,
        role: user.role,
        adFree: marked.has(user.id),
      }));
  }

  async setAdFree(owner: string, userId: string, adFree: boolean, by: string): Promise<AdFreeView> {
    const user = (await this.users.listForTenant(owner)).find((candidate) => candidate.id === userId);
    if (!user) throw new AppError(404, 'not_found', `No account ${userId}.`);
    if (adFree) await this.adFree.mark(owner, userId, by);
    else await this.adFree.unmark(owner, userId);
    return { id: user.id, username: user.username, role: user.role, adFree };
  }
}
