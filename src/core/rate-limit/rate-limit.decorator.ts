import { SetMetadata } from '@nestjs/common';

export interface RateLimitRule {
  /** Bucket name, shared by every route that should count together. */
  name: string;
  limit: number;
  windowSeconds: number;
}

export const RATE_LIMIT_METADATA = 'streamvault:rate-limit';

/** Limits a route per identity (or per client address when anonymous); over the limit → 429. */
export const RateLimit = (rule: RateLimitRule) => SetMetadata(RATE_LIMIT_METADATA, rule);
