import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../core/config/app-config.js';
import { isBotApiError } from '../gateway/bot-api.error.js';
import { type BotUser } from '../gateway/bot-events.js';
import { BotGateway } from '../gateway/telegraf-bot.gateway.js';
import { CAPTION_LIMIT, fitMessage, mention, shownLength } from '../format/text-format.js';

export interface Recipient {
  user: Pick<BotUser, 'id' | 'name'>;
  /** The chat the conversation started in; a private chat is answered in place. */
  chatId: number;
  private: boolean;
}

export interface DeliveryOptions {
  /** A photo to send with `html` as its caption. */
  photo?: Buffer;
  /**
   * Said instead of `html` when the user's DM cannot be reached: for messages that must reach only
   * that user (a login link), never the admin channel.
   */
  fallbackHtml?: string;
}

/**
 * How a message fared: `delivered` (to the user, or mentioned in the fallback chat); `later` when
 * Telegram asked for quiet (429) or failed for a while (5xx, network), so sending it again later will
 * work; `lost` when it never will (the user blocked the bot and there is no fallback, a bad request).
 */
export type Delivery =
  { outcome: 'delivered' } | { outcome: 'later'; retryAfterSeconds: number } | { outcome: 'lost' };

const DELIVERED: Delivery = { outcome: 'delivered' };
const LOST: Delivery = { outcome: 'lost' };

/**
 * The silent manager's delivery rule: a private chat is answered in place; anything about a group
 * command goes to the user's DM; a user the bot cannot write to (never opened a DM, blocked it) is
 * mentioned in BOT_ADMIN_CHANNEL instead, or in the group when there is no admin channel. Nothing is
 * dropped without a log line.
 */
@Injectable()
export class BotNotifier {
  private readonly logger = new Logger('bot');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly gateway: BotGateway,
  ) {}

  async tell(to: Recipient, html: string, options: DeliveryOptions = {}): Promise<Delivery> {
    try {
      await this.deliver(to.private ? to.chatId : to.user.id, html, options.photo);
      return DELIVERED;
    } catch (error) {
      const later = laterAfter(error);
      if (later) {
        this.logger.warn(`could not message ${to.user.id} now, will again: ${(error as Error).message}`);
        return later;
      }
      if (!isBotApiError(error, 'unreachable') || to.private) {
        this.logger.warn(`could not message ${to.user.id}: ${(error as Error).message}`);
        return LOST;
      }
    }
    const fallback = `${mention(to.user)}, I cannot message you privately; open a chat with me and press Start.\n\n${
      options.fallbackHtml ?? html
    }`;
    const target = this.config.bot.adminChannel ?? to.chatId;
    try {
      await this.deliver(target, fallback, options.fallbackHtml === undefined ? options.photo : undefined);
      return DELIVERED;
    } catch (error) {
      const later = laterAfter(error);
      if (later) return later;
      this.logger.error(
        `a message for Telegram user ${to.user.id} was lost: neither their DM nor ${target} took it (${
          (error as Error).message
        })`,
      );
      return LOST;
    }
  }

  /** Sends `html`, as the caption of `photo` when there is one and the text fits a caption. */
  private async deliver(chat: number | string, html: string, photo?: Buffer): Promise<void> {
    if (photo && shownLength(html) <= CAPTION_LIMIT) await this.gateway.sendPhoto(chat, photo, html);
    else await this.gateway.send(chat, fitMessage(html));
  }
}

/** A failure that sending again later gets past: 429 (after `retry_after`), Telegram's 5xx, the network. */
function laterAfter(error: unknown): Delivery | undefined {
  if (isBotApiError(error, 'rate_limited'))
    return { outcome: 'later', retryAfterSeconds: error.retryAfterSeconds };
  if (isBotApiError(error)) return error.code >= 500 ? { outcome: 'later', retryAfterSeconds: 0 } : undefined;
  return { outcome: 'later', retryAfterSeconds: 0 };
}
