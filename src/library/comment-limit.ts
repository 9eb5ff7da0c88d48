import { type RateLimitRule } from '../core/rate-limit/rate-limit.decorator.js';

/**
 * Posting a comment, title or episode, API or form (one bucket): 5 a minute per identity, and 20 a
 * minute for all the guests of one client address — a script that drops its guest cookie before each
 * post would otherwise never be limited (and could push a whole episode thread out of its newest 500).
 * 20 rather than 5 because guests behind one NAT share an address.
 */
export const COMMENT_LIMIT: RateLimitRule = {
  name: 'comment',
  limit: 5,
  windowSeconds: 60,
  guestsPerAddress: 20,
};
