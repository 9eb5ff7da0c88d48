import { SetMetadata } from '@nestjs/common';

export interface RateLimitRule {
  /** Bucket name, shared by every route that should count together. */
  name: string;
  limit: number;
  windowSeconds: number;
  /**
   * What to count per: `identity` (default; the client address when anonymous, an IPv6 client per /64),
   * or `address+username` for sign-in, where a guesser can shed cookies but not its address or its target.
   */
  per?: 'identity' | 'address+username';
  /**
   * Also at most this many per client address (an IPv6 client per /64) in the window, whoever the
   * identity: where a free guest cookie per request would otherwise give fresh buckets.
   */
  perAddress?: number;
  /**
   * Guests are also counted per client address (an IPv6 client per /64), at most this many in the
   * window for all the guests of one address: a new guest cookie is free, an address is not.
   */
  guestsPerAddress?: number;
}

export const RATE_LIMIT_METADATA = 'streamvault:rate-limit';

/** Limits a route per identity (or per client address when anonymous); over the limit → 429. */
export const RateLimit = (rule: RateLimitRule) => SetMetadata(RATE_LIMIT_METADATA, rule);
