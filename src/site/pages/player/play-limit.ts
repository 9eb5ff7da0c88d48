import { type RateLimitRule } from '../../../core/rate-limit/rate-limit.decorator.js';

/**
 * Opening the player (`GET /play/:fileId`, and a watch party's `GET /party/:roomId`: one bucket), which
 * signs a fresh stream link each time: 60 a minute per identity. A viewer zapping through episodes,
 * reloading and following autoplay stays far below it; a script minting links for a whole library
 * does not (`POST /sign` allows 5). Guests are also counted together per client address, 300 a
 * minute: a new guest cookie is free, and 5× the single limit leaves room for guests behind one NAT.
 */
export const PLAY_LIMIT: RateLimitRule = {
  name: 'play',
  limit: 60,
  windowSeconds: 60,
  guestsPerAddress: 300,
};
