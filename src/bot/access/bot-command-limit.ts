import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../core/config/app-config.js';
import { RateLimiter } from '../../core/rate-limit/rate-limiter.js';

interface Limit {
  bucket: string;
  limit: number;
  windowMs: number;
  /** What the user is told, once a window, when over it. */
  tell: (retryAfterSeconds: number) => string;
}

/** Over a limit: what to tell the user, or nothing when they were already told in this window. */
export type LimitVerdict = { allowed: true } | { allowed: false; tell?: string };

/**
 * Per Telegram user limits on commands (buttons and files sent included), across every manager. The
 * counts are BOT_COMMANDS_PER_MINUTE and BOT_LOGINS_PER_10_MINUTES; the windows are fixed.
 */
@Injectable()
export class BotCommandLimit {
  private readonly commands: Limit;
  private readonly logins: Limit;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly limiter: RateLimiter,
  ) {
    const { commandsPerMinute, loginsPer10Minutes } = config.bot.limits;
    // Each /status is a send and a delete in the group: a member must not be able to flood it.
    this.commands = {
      bucket: 'bot-commands',
      limit: commandsPerMinute,
      windowMs: 60_000,
      tell: (seconds) => `You are sending me commands too fast; try again in ${seconds} s.`,
    };
    // Each /login stores a sign-in link.
    this.logins = {
      bucket: 'bot-logins',
      limit: loginsPer10Minutes,
      windowMs: 10 * 60_000,
      tell: (seconds) =>
        `You asked for ${loginsPer10Minutes} sign-in link${loginsPer10Minutes === 1 ? '' : 's'} in 10 minutes; ` +
        `ask again in ${Math.ceil(seconds / 60)} min.`,
    };
  }

  async check(userId: number, command: string): Promise<LimitVerdict> {
    const limits = command === 'login' ? [this.commands, this.logins] : [this.commands];
    for (const limit of limits) {
      const hit = await this.limiter.hit(`${limit.bucket}:${userId}`, limit.limit, limit.windowMs);
      if (hit.allowed) continue;
      const told = await this.limiter.hit(`${limit.bucket}-told:${userId}`, 1, limit.windowMs);
      return { allowed: false, tell: told.allowed ? limit.tell(hit.retryAfterSeconds) : undefined };
    }
    return { allowed: true };
  }
}
