import { Injectable } from '@nestjs/common';
import { RateLimiter } from '../../core/rate-limit/rate-limiter.js';

interface Limit {
  bucket: string;
  limit: number;
  windowMs: number;
  /** What the user is told, once a window, when over it. */
  tell: (retryAfterSeconds: number) => string;
}

/** Each /status is a send and a delete in the group: a member must not be able to flood it. */
const COMMANDS: Limit = {
  bucket: 'bot-commands',
  limit: 20,
  windowMs: 60_000,
  tell: (seconds) => `You are sending me commands too fast; try again in ${seconds} s.`,
};
/** Each /login stores a sign-in link. */
const LOGINS: Limit = {
  bucket: 'bot-logins',
  limit: 3,
  windowMs: 10 * 60_000,
  tell: (seconds) =>
    `You asked for 3 sign-in links in 10 minutes; ask again in ${Math.ceil(seconds / 60)} min.`,
};

/** Over a limit: what to tell the user, or nothing when they were already told in this window. */
export type LimitVerdict = { allowed: true } | { allowed: false; tell?: string };

/** Per Telegram user limits on commands (buttons and files sent included), across every manager. */
@Injectable()
export class BotCommandLimit {
  constructor(private readonly limiter: RateLimiter) {}

  async check(userId: number, command: string): Promise<LimitVerdict> {
    const limits = command === 'login' ? [COMMANDS, LOGINS] : [COMMANDS];
    for (const limit of limits) {
      const hit = await this.limiter.hit(`${limit.bucket}:${userId}`, limit.limit, limit.windowMs);
      if (hit.allowed) continue;
      const told = await this.limiter.hit(`${limit.bucket}-told:${userId}`, 1, limit.windowMs);
      return { allowed: false, tell: told.allowed ? limit.tell(hit.retryAfterSeconds) : undefined };
    }
    return { allowed: true };
  }
}
