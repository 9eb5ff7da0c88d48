import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { deriveKey } from '../../../auth/secrets.js';
import { APP_CONFIG, type AppConfig } from '../../../core/config/app-config.js';
import { AdEventSource } from './ad-event.js';

/** A house VAST is played when it is fetched: an hour covers the ad with pauses. */
export const HOUSE_TOKEN_TTL_MS = 60 * 60_000;
/** A player page's token outlives its last mid-roll by this much (a film watched with pauses). */
export const PLAYER_TOKEN_SLACK_MS = 3 * 60 * 60_000;

/** One serving of ads: a house VAST response, or one player page's ad breaks. */
export interface AdServing {
  /** Random, unique per serving (the VAST's AdServingId). */
  id: string;
  /** Who may report with it: the house ad's beacons, or our player. */
  source: AdEventSource;
  /** How many ads it covers: 1 for a VAST; a player page's breaks (pre-roll and mid-rolls). */
  ads: number;
  /** Unix seconds. */
  expires: number;
}

export type AdServingCheck = { serving: AdServing } | { refused: 'invalid' | 'expired' };

/** `<source>.<id>.<ads>.<expires>.<mac>`: URL- and XML-safe as is. */
const TOKEN = /^(player|house)\.([0-9a-f-]{36})\.(\d{1,2})\.([1-9]\d{0,11})\.([A-Za-z0-9_-]{43})$/;

/**
 * Serving tokens for the tracking URLs: HMAC-SHA256 under a key derived from SECRET_KEY over the
 * serving and its owner, so any manager checks what any manager served, a token counts only on the
 * site that served it, and nobody mints one without being served an ad.
 */
@Injectable()
export class AdServingTokens {
  private readonly key: Buffer;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.key = deriveKey(config.secretKey, 'ad-serving');
  }

  /** A new serving for `owner`, and its token. */
  issue(owner: string, source: AdEventSource, ads: number, ttlMs: number, now = Date.now()) {
    const serving: AdServing = {
      id: randomUUID(),
      source,
      ads,
      expires: Math.ceil((now + ttlMs) / 1000),
    };
    return { serving, token: this.sign(owner, serving) };
  }

  sign(owner: string, serving: AdServing): string {
    const body = `${serving.source}.${serving.id}.${serving.ads}.${serving.expires}`;
    return `${body}.${this.mac(owner, body)}`;
  }

  /** The serving, if `owner` issued the token and it has not run out. */
  check(owner: string, token: string, now = Date.now()): AdServingCheck {
    const match = TOKEN.exec(token);
    if (!match) return { refused: 'invalid' };
    const [, source, id, ads, expires, mac] = match;
    const body = `${source}.${id}.${ads}.${expires}`;
    const expected = Buffer.from(this.mac(owner, body));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { refused: 'invalid' };
    if (Number(expires) * 1000 < now) return { refused: 'expired' };
    return {
      serving: { id, source: source as AdEventSource, ads: Number(ads), expires: Number(expires) },
    };
  }

  private mac(owner: string, body: string): string {
    // The owner is signed, not carried: a token served by one site is forged on any other.
    return createHmac('sha256', this.key).update(`${owner}\n${body}`).digest('base64url');
  }
}
