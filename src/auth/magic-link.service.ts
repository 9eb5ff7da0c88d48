import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../core/config/app-config.js';
import { AppError } from '../core/errors/app-error.js';
import { MagicLinkRepository } from './magic-link.repository.js';
import { hashToken, randomToken } from './secrets.js';
import { type ClientInfo, SessionService } from './session.service.js';
import { UserRepository } from './user.repository.js';
import { TenantContext } from '../core/tenancy/tenant-context.js';
import { inCurrentTenant } from './tenant-membership.js';

export const MAGIC_LINK_TTL_MS = 15 * 60 * 1000;

export interface MagicLinkTarget {
  username?: string;
  telegramId?: number;
}

/** Single-use, 15-minute login links: created by an admin (later sent by the bot), stored hashed. */
@Injectable()
export class MagicLinkService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly links: MagicLinkRepository,
    private readonly users: UserRepository,
    private readonly sessions: SessionService,
  ) {}

  async create(target: MagicLinkTarget, createdBy: string): Promise<{ url: string; expiresAt: Date }> {
    if ((target.username === undefined) === (target.telegramId === undefined)) {
      throw new AppError(400, 'bad_request', 'Give exactly one of username or telegramId.');
    }
    const user =
      target.username !== undefined
        ? await this.users.findByUsername(TenantContext.current().id, target.username)
        : await this.users.findByTelegramId(target.telegramId!);
    if (!user || user.disabled)
      throw new AppError(404, 'not_found', 'No active user matches that username or Telegram id.');
    const token = randomToken();
    const now = new Date();
    const expiresAt = new Date(now.getTime() + MAGIC_LINK_TTL_MS);
    await this.links.insert({
      _id: hashToken(token),
      userId: user._id,
      createdBy,
      createdAt: now,
      expiresAt,
    });
    return { url: `${this.config.http.publicUrl}/auth/magic/${token}`, expiresAt };
  }

  /**
   * Trades a link for a session, once, on its account's own site, while the account is active: a
   * link opened on another site's host (or for an account disabled since) is refused and stays
   * unused, instead of being spent on a session that site would not honour.
   */
  async redeem(token: string, client: ClientInfo) {
    const hash = /^[A-Za-z0-9_-]{20,100}$/.test(token) ? hashToken(token) : undefined;
    const link = hash ? await this.links.usable(hash) : null;
    const user = link ? await this.users.findById(link.userId) : null;
    if (
      !hash ||
      !link ||
      !user ||
      user.disabled ||
      !inCurrentTenant(user) ||
      !(await this.links.consume(hash))
    )
      throw new AppError(401, 'unauthorized', 'This login link is invalid, expired or already used.');
    const session = await this.sessions.open(link.userId, 'magic-link', client);
    // The landing page sends admins to the panel; everyone else home.
    return { ...session, userId: String(link.userId), role: user.role };
  }
}
