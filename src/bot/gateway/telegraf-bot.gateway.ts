import { Inject, Injectable, Logger } from '@nestjs/common';
import { Input, Telegraf, TelegramError } from 'telegraf';
import { type InlineKeyboardMarkup, type Message, type Update } from 'telegraf/types';
import { APP_CONFIG, type AppConfig } from '../../core/config/app-config.js';
import { withTimeout } from '../../core/util/with-timeout.js';
import { BotApiError } from './bot-api.error.js';
import {
  type BotAttachment,
  type BotCommandInfo,
  type BotEventHandler,
  type BotUser,
  type ChatKind,
  type Keyboard,
} from './bot-events.js';

export type ChatTarget = number | string;

const ALLOWED_UPDATES = ['message', 'callback_query'] as const;

/**
 * The bot's only door to Telegram (the `BotGateway` port): telegraf underneath, plain types and
 * classified `BotApiError`s on top. Long polling by default; with a webhook configured, updates come
 * in through `handleWebhookUpdate`.
 */
@Injectable()
export class BotGateway {
  private readonly logger = new Logger('bot');
  private readonly bot: Telegraf;
  private polling?: Promise<void>;
  private handler?: BotEventHandler;
  username = '';

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    // Constructed only when a token is configured (see BotModule).
    this.bot = new Telegraf(config.bot.token ?? '0:disabled', {
      telegram: { apiRoot: config.bot.apiRoot, webhookReply: false },
      handlerTimeout: 60_000,
    });
  }

  /** Connects (getMe), then polls or registers the webhook; updates go to `handler`. */
  async start(handler: BotEventHandler): Promise<void> {
    if (!this.handler) {
      // Once, even when a failed start is retried: a second `use` would handle every update twice.
      this.bot.use(async (ctx) => {
        await this.dispatch(ctx.update, this.handler!);
      });
      this.bot.catch((error) => {
        this.logger.error(`an update failed: ${(error as Error).stack ?? String(error)}`);
      });
    }
    this.handler = handler;
    const me = await this.call('getMe', () => this.bot.telegram.getMe());
    this.bot.botInfo = me;
    this.username = me.username;
    const webhook = this.config.bot.webhook;
    if (webhook) {
      await this.call('setWebhook', () =>
        this.bot.telegram.setWebhook(webhook.url, {
          secret_token: webhook.secret,
          allowed_updates: [...ALLOWED_UPDATES],
        }),
      );
      this.logger.log(`bot @${me.username} receives updates by webhook at ${webhook.url}`);
      return;
    }
    this.polling = this.bot
      .launch({ allowedUpdates: [...ALLOWED_UPDATES] })
      .catch((error: unknown) =>
        this.logger.error(
          `long polling stopped: ${(error as Error).message}; the bot no longer reads updates`,
        ),
      );
    this.logger.log(`bot @${me.username} is long polling`);
  }

  async stop(): Promise<void> {
    if (!this.polling) return;
    this.bot.stop('shutdown');
    // Stopping tells Telegram the last offset; an unreachable Telegram must not hold up shutdown.
    await withTimeout(this.polling, 3000, 'stopping long polling').catch((error: Error) =>
      this.logger.warn(error.message),
    );
    this.polling = undefined;
  }

  handleWebhookUpdate(update: unknown): Promise<void> {
    return this.bot.handleUpdate(update as Update);
  }

  async setCommands(commands: readonly BotCommandInfo[]): Promise<void> {
    await this.call('setMyCommands', () => this.bot.telegram.setMyCommands([...commands]));
  }

  /** Sends HTML text; returns the new message's id. */
  async send(
    chat: ChatTarget,
    html: string,
    options: { keyboard?: Keyboard; replyTo?: number } = {},
  ): Promise<number> {
    const message = await this.call('sendMessage', () =>
      this.bot.telegram.sendMessage(chat, html, {
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        reply_markup: markup(options.keyboard),
        reply_parameters: options.replyTo
          ? { message_id: options.replyTo, allow_sending_without_reply: true }
          : undefined,
      }),
    );
    return message.message_id;
  }

  async sendPhoto(chat: ChatTarget, photo: Buffer, captionHtml: string): Promise<number> {
    const message = await this.call('sendPhoto', () =>
      this.bot.telegram.sendPhoto(chat, Input.fromBuffer(photo, 'still.jpg'), {
        caption: captionHtml,
        parse_mode: 'HTML',
      }),
    );
    return message.message_id;
  }

  async edit(chat: ChatTarget, messageId: number, html: string, keyboard?: Keyboard): Promise<void> {
    await this.call('editMessageText', () =>
      this.bot.telegram.editMessageText(chat, messageId, undefined, html, {
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        reply_markup: markup(keyboard),
      }),
    );
  }

  async delete(chat: ChatTarget, messageId: number): Promise<void> {
    await this.call('deleteMessage', () => this.bot.telegram.deleteMessage(chat, messageId));
  }

  async answerCallback(callbackId: string, text?: string, alert = false): Promise<void> {
    await this.call('answerCallbackQuery', () =>
      this.bot.telegram.answerCbQuery(callbackId, text, { show_alert: alert }),
    );
  }

  /** Where a file sent to the bot can be downloaded (Bot API files up to its download limit). */
  async fileUrl(fileId: string): Promise<string> {
    const file = await this.call('getFile', () => this.bot.telegram.getFile(fileId));
    if (!file.file_path) throw new BotApiError('other', 'getFile', 400, 'file has no download path');
    return `${this.config.bot.apiRoot}/file/bot${this.config.bot.token}/${file.file_path}`;
  }

  private async call<T>(method: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      if (error instanceof TelegramError) {
        throw BotApiError.classify(method, error.code, error.description, error.parameters?.retry_after);
      }
      throw error;
    }
  }

  private async dispatch(update: Update, handler: BotEventHandler): Promise<void> {
    if ('message' in update) {
      const message = update.message;
      if (!message.from || message.from.is_bot) return;
      const text = 'text' in message ? message.text : 'caption' in message ? (message.caption ?? '') : '';
      const reply = 'reply_to_message' in message ? message.reply_to_message : undefined;
      await handler.onMessage({
        chatId: message.chat.id,
        chatKind: message.chat.type as ChatKind,
        messageId: message.message_id,
        from: user(message.from),
        text,
        replyTo: reply
          ? {
              messageId: reply.message_id,
              text: messageText(reply),
              attachment: attachment(reply as Message),
            }
          : undefined,
        attachment: attachment(message),
      });
      return;
    }
    if ('callback_query' in update) {
      const query = update.callback_query;
      if (!('data' in query) || !query.message) return;
      await handler.onCallback({
        id: query.id,
        from: user(query.from),
        chatId: query.message.chat.id,
        messageId: query.message.message_id,
        data: query.data,
      });
    }
  }
}

function user(from: { id: number; first_name: string; last_name?: string; username?: string }): BotUser {
  return {
    id: from.id,
    name: [from.first_name, from.last_name].filter(Boolean).join(' ') || String(from.id),
    username: from.username,
  };
}

function messageText(message: object): string {
  if ('text' in message && typeof message.text === 'string') return message.text;
  if ('caption' in message && typeof message.caption === 'string') return message.caption;
  return '';
}

function attachment(message: Message): BotAttachment | undefined {
  if ('video' in message) {
    const video = message.video;
    return {
      fileId: video.file_id,
      fileUniqueId: video.file_unique_id,
      fileName: video.file_name,
      mime: video.mime_type,
      size: video.file_size,
    };
  }
  if ('document' in message) {
    const doc = message.document;
    return {
      fileId: doc.file_id,
      fileUniqueId: doc.file_unique_id,
      fileName: doc.file_name,
      mime: doc.mime_type,
      size: doc.file_size,
    };
  }
  return undefined;
}

function markup(keyboard?: Keyboard): InlineKeyboardMarkup | undefined {
  if (!keyboard) return undefined;
  return {
    inline_keyboard: keyboard.map((row) =>
      row.map((button) =>
        'url' in button
          ? { text: button.text, url: button.url }
          : { text: button.text, callback_data: button.data },
      ),
    ),
  };
}
