import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type Request } from 'express';
import { type IdentifiedRequest } from '../../../core/identity/identity.js';
import { adOwnerOf } from '../ad-owner.js';
import { AdAudience } from '../audience/ad-audience.js';
import { AD_SLOT_NAMES, type AdsSettings } from '../dto/ads-settings.dto.js';
import { AdSettingsService } from '../settings/ad-settings.service.js';
import { AdCountersRepository } from '../tracking/ad-counters.repository.js';
import { AdEventSource } from '../tracking/ad-event.js';
import { AdServingTokens, PLAYER_TOKEN_SLACK_MS } from '../tracking/ad-serving-tokens.js';
import { type AdPage, type PlayerAdConfig } from './ad-page.js';
import { slotMarkup } from './slot-markup.js';

const VAST_TIMEOUT_MS = 3000;
const WRAPPER_LIMIT = 5;

export interface PreparedAdPage {
  page: AdPage;
  /** Origins the page's CSP must also allow. */
  origins: string[];
}

/** Works out the ads one site page shows one viewer: display slots, and the player's ad breaks. */
@Injectable()
export class AdPagesService {
  constructor(
    private readonly settings: AdSettingsService,
    private readonly audience: AdAudience,
    private readonly counters: AdCountersRepository,
    private readonly tokens: AdServingTokens,
  ) {}

  async prepare(req: Request & IdentifiedRequest): Promise<PreparedAdPage | undefined> {
    const owner = adOwnerOf(req);
    const settings = await this.settings.get(owner);
    if (!settings.enabled || !(await this.audience.seesAds(owner, req.identity))) return undefined;
    const nonce = randomBytes(16).toString('base64');
    const slots: AdPage['slots'] = {};
    for (const name of AD_SLOT_NAMES) {
      const slot = settings.slots?.[name];
      const html = slot ? slotMarkup(slot, nonce) : undefined;
      if (html) slots[name] = html;
    }
    const player = req.path.startsWith('/play/') ? await this.playerConfig(owner, settings, req) : undefined;
    const shortDownloads = settings.shortener?.enabled === true;
    if (Object.keys(slots).length === 0 && !player && !shortDownloads) return undefined;
    return {
      page: { nonce, slots, player: player && JSON.stringify(player), shortDownloads },
      origins: adOrigins(settings),
    };
  }

  private async playerConfig(
    owner: string,
    settings: AdsSettings,
    req: IdentifiedRequest,
  ): Promise<PlayerAdConfig | undefined> {
    if (!settings.vastTagUrl) return undefined;
    const identityId = req.identity?.id;
    const capped =
      settings.frequencyCapMinutes > 0 &&
      identityId !== undefined &&
      (await this.counters.capped(owner, identityId));
    const preroll = settings.preroll && !capped;
    if (!preroll && settings.midrollOffsets.length === 0) return undefined;
    const midrolls = [...settings.midrollOffsets].sort((a, b) => a - b);
    // Lives until the last mid-roll can have played, with room for pauses.
    const { token } = this.tokens.issue(
      owner,
      AdEventSource.Player,
      (preroll ? 1 : 0) + midrolls.length,
      (midrolls.at(-1) ?? 0) * 1000 + PLAYER_TOKEN_SLACK_MS,
    );
    return {
      vastTagUrl: settings.vastTagUrl,
      preroll,
      midrolls,
      trackUrl: '/ads/track',
      trackToken: token,
      timeoutMs: VAST_TIMEOUT_MS,
      wrapperLimit: WRAPPER_LIMIT,
    };
  }
}

/** The listed origins, the VAST tag's and the image slots': what the CSP is widened for. */
export function adOrigins(settings: AdsSettings): string[] {
  const urls = [
    settings.vastTagUrl,
    ...Object.values(settings.slots ?? {}).flatMap((slot) => [slot?.imageUrl, slot?.linkUrl]),
  ];
  const origins = new Set(settings.allowedHosts.map((origin) => origin.replace(/\/$/, '')));
  for (const url of urls) if (url && /^https:/.test(url)) origins.add(new URL(url).origin);
  return [...origins];
}
