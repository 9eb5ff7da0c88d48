import { Injectable, Logger } from '@nestjs/common';
import { instanceToPlain } from 'class-transformer';
import { type AdsSettings, defaultAdsSettings } from '../dto/ads-settings.dto.js';
import { AdSettingsRepository } from './ad-settings.repository.js';

/** How long a manager trusts what it last read; every manager converges within this after a save. */
export const AD_SETTINGS_CACHE_MS = 10_000;

interface Cached {
  settings: AdsSettings;
  readAt: number;
}

/**
 * Each owner's ad settings, read through a short in-process cache: every site page asks. When Mongo
 * cannot answer, the last known settings (at first: no ads) stay in force.
 */
@Injectable()
export class AdSettingsService {
  private readonly logger = new Logger('ads');
  private readonly cache = new Map<string, Cached>();

  constructor(private readonly repository: AdSettingsRepository) {}

  async get(owner: string): Promise<AdsSettings> {
    const cached = this.cache.get(owner);
    if (cached && Date.now() - cached.readAt < AD_SETTINGS_CACHE_MS) return cached.settings;
    try {
      const stored = await this.repository.find(owner);
      const settings = { ...defaultAdsSettings(), ...stored?.settings };
      this.cache.set(owner, { settings, readAt: Date.now() });
      return settings;
    } catch (error) {
      this.logger.warn(`ad settings of ${owner} not read: ${(error as Error).message}`);
      return cached?.settings ?? defaultAdsSettings();
    }
  }

  /** Replaces the owner's settings; this manager sees them at once, others within the cache time. */
  async save(owner: string, settings: AdsSettings, updatedBy: string): Promise<AdsSettings> {
    // A plain object: the DTO instance's undefined optionals are not stored.
    const plain = JSON.parse(JSON.stringify(instanceToPlain(settings))) as AdsSettings;
    await this.repository.save(owner, plain, updatedBy);
    this.cache.set(owner, { settings: plain, readAt: Date.now() });
    return plain;
  }
}
