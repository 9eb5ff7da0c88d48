import { Injectable } from '@nestjs/common';
import { AppError } from '../../../core/errors/app-error.js';
import { type Identity } from '../../../core/identity/identity.js';
import { AdSettingsService } from '../settings/ad-settings.service.js';
import { AdCountersRepository } from './ad-counters.repository.js';
import { AdEvent, AdEventSource } from './ad-event.js';
import { AdServingTokens } from './ad-serving-tokens.js';
import { AdStatsService } from './ad-stats.service.js';

/** One event as a tracking URL reports it. */
export interface AdReport {
  event: AdEvent;
  source: AdEventSource;
  /** The serving token from the VAST or the player page. */
  token: string;
  /** Which of the serving's ads (0 for a VAST; the player's breaks in play order). */
  ad: number;
  /** A pre-roll's impression starts the frequency cap. */
  preroll: boolean;
}

/**
 * Takes an ad event: counts it if an ad was really served for it (a valid serving token of this owner)
 * and that ad has not reported this event before, and a pre-roll's impression starts the viewer's
 * frequency-cap window.
 */
@Injectable()
export class AdTrackingService {
  constructor(
    private readonly stats: AdStatsService,
    private readonly counters: AdCountersRepository,
    private readonly settings: AdSettingsService,
    private readonly tokens: AdServingTokens,
  ) {}

  async track(owner: string, report: AdReport, identity: Identity | undefined): Promise<void> {
    const checked = this.tokens.check(owner, report.token);
    if ('refused' in checked)
      throw checked.refused === 'expired'
        ? new AppError(410, 'token_expired', 'The ad serving token has expired; nothing was counted.')
        : new AppError(403, 'bad_token', 'The ad serving token is not one this site issued.');
    const { serving } = checked;
    if (serving.source !== report.source)
      throw new AppError(403, 'bad_token', `The ad serving token is not for source=${report.source}.`);
    if (report.ad >= serving.ads)
      throw new AppError(403, 'bad_token', `The ad serving token covers ${serving.ads} ad(s).`);
    const { enabled, frequencyCapMinutes, houseAd } = await this.settings.get(owner);
    // A site showing no ads (or no house ad) has none to count: anyone could otherwise fill its figures.
    if (!enabled || (report.source === AdEventSource.House && !houseAd)) return;
    const ttlMs = serving.expires * 1000 - Date.now();
    if (!(await this.counters.firstReport(owner, serving.id, report.ad, report.event, ttlMs))) return;
    await this.stats.record(owner, report.event, report.source);
    if (report.event !== AdEvent.Impression || report.source !== AdEventSource.Player) return;
    if (!report.preroll || !identity) return;
    if (frequencyCapMinutes > 0) await this.counters.startCap(owner, identity.id, frequencyCapMinutes);
  }
}
