import { Inject, Injectable } from '@nestjs/common';
import { type UserView, UserService } from '../../auth/user.service.js';
import { APP_CONFIG, type AppConfig } from '../../core/config/app-config.js';
import { type Identity } from '../../core/identity/identity.js';
import { RateLimiter } from '../../core/rate-limit/rate-limiter.js';
import { type BotUser, type ChatKind } from '../gateway/bot-events.js';
import { AuthorizedChatRepository } from './authorized-chat.repository.js';

/** A Telegram user the bot serves, with the StreamVault account they act as. */
export interface BotActor {
  user: BotUser;
  account: UserView;
  identity: Identity;
  /** In BOT_ADMIN_IDS (or a StreamVault admin): /health, /stats, cancel anyone's task. */
  isAdmin: boolean;
  /** May add media (admins and uploaders). */
  canIngest: boolean;
}

const REFUSAL_WINDOW_MS = 60 * 60 * 1000;

/**
 * Who may use the bot where. A group must be in BOT_AUTHORIZED_CHATS or added on the panel's users
 * page (bot admins are welcome
 * anywhere); in a private chat the user must be a bot admin, have a linked StreamVault account (an
 * admin linked it, or the user used the bot in an authorized group before), or be listed as a chat.
 * First use in an authorized place creates the user's account (`tg-<id>`, uploader; admin for bot admins).
 */
@Injectable()
export class BotAccessService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: UserService,
    private readonly limiter: RateLimiter,
    private readonly chats: AuthorizedChatRepository,
  ) {}

  isBotAdmin(telegramId: number): boolean {
    return this.config.bot.adminIds.includes(telegramId);
  }

  async resolve(user: BotUser, chatId: number, chatKind: ChatKind): Promise<BotActor | undefined> {
    const admin = this.isBotAdmin(user.id);
    const chatListed = this.config.bot.authorizedChats.includes(chatId) || (await this.chats.has(chatId));
    const existing = await this.users.findByTelegramId(user.id);
    if (existing?.disabled) return undefined;
    const allowed =
      admin || chatListed || (chatKind === 'private' && existing !== undefined && existing !== null);
    if (!allowed) return undefined;
    const account =
      existing ?? (await this.users.findOrCreateForTelegram(user.id, admin ? 'admin' : 'uploader'));
    const isAdmin = admin || account.role === 'admin';
    return {
      user,
      account,
      isAdmin,
      canIngest: isAdmin || account.role === 'uploader',
      identity: {
        kind: 'user',
        id: account.id,
        name: account.username,
        role: isAdmin ? 'admin' : account.role,
        via: 'telegram',
      },
    };
  }

  /** True when this chat may be told (once an hour) that the bot is not for it. */
  async mayRefuse(chatId: number): Promise<boolean> {
    return (await this.limiter.hit(`bot-refusal:${chatId}`, 1, REFUSAL_WINDOW_MS)).allowed;
  }
}
