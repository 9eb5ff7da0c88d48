import { Injectable } from '@nestjs/common';
import { type Identity } from '../../../core/identity/identity.js';
import { AdSettingsService } from '../settings/ad-settings.service.js';
import { AdCountersRepository } from './ad-counters.repository.js';
import { AdEvent, AdEventSource } from './ad-event.js';
import { AdStatsService } from './ad-stats.service.js';

/** Takes an ad event: counts it, and a pre-roll's impression starts the viewer's frequency-cap window. */
@Injectable()
export class AdTrackingService {
  constructor(
    private readonly stats: AdStatsService,
    private readonly counters: AdCountersRepository,
    private readonly settings: AdSettingsService,
  ) {}

  async track(
    owner: string,
    event: AdEvent,
    source: AdEventSource,
    identity: Identity | undefined,
    preroll: boolean,
  ): Promise<void> {
    const { enabled, frequencyCapMinutes } = await this.settings.get(owner);
    // A site showing no ads has none to count: anyone could otherwise fill its figures.
    if (!enabled) return;
    await this.stats.record(owner, event, source);
    if (event !== AdEvent.Impression || source !== AdEventSource.Player || !preroll || !identity) return;
    if (frequencyCapMinutes > 0) await this.counters.startCap(owner, identity.id, frequencyCapMinutes);
  }
}
