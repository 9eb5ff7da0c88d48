import { Injectable, Logger } from '@nestjs/common';
import { MagicLinkService } from '../auth/magic-link.service.js';
import { AppError } from '../core/errors/app-error.js';
import { type BotActor, BotAccessService } from './access/bot-access.service.js';
import { BotCommandLimit } from './access/bot-command-limit.js';
import { BotAdminService } from './commands/bot-admin.service.js';
import { helpText, KNOWN_COMMANDS, parseCommand } from './commands/bot-commands.js';
import { BotSearchService } from './commands/bot-search.service.js';
import { BotTasksService } from './commands/bot-tasks.service.js';
import { BotNotifier, type DeliveryOptions, type Recipient } from './delivery/bot-notifier.service.js';
import { escapeHtml } from './format/text-format.js';
import {
  type BotAttachment,
  type BotCallback,
  type BotEventHandler,
  type BotMessage,
} from './gateway/bot-events.js';
import { BotGateway } from './gateway/telegraf-bot.gateway.js';
import { StatusBoard } from './status/status-board.service.js';

type Answer = { html: string; options?: DeliveryOptions; followUp?: () => Promise<void> } | undefined;

/**
 * Routes updates to the services: parse the command, check who asks, call one service method, deliver
 * its answer by the silent-manager rule (private chats in place, group commands in the user's DM).
 */
@Injectable()
export class BotUpdatesHandler implements BotEventHandler {
  private readonly logger = new Logger('bot');

  constructor(
    private readonly gateway: BotGateway,
    private readonly access: BotAccessService,
    private readonly notifier: BotNotifier,
    private readonly tasks: BotTasksService,
    private readonly board: StatusBoard,
    private readonly search: BotSearchService,
    private readonly admin: BotAdminService,
    private readonly magicLinks: MagicLinkService,
    private readonly limits: BotCommandLimit,
  ) {}

  async onMessage(message: BotMessage): Promise<void> {
    const command = parseCommand(message.text);
    const isPrivate = message.chatKind === 'private';
    if (!command) {
      // A file sent or forwarded to the bot in private is a request to add it (its caption the hint);
      // in groups files are only taken when captioned /leech. Other chatter is never answered.
      if (isPrivate && message.attachment) await this.onFile(message, message.attachment);
      return;
    }
    if (command.target && command.target.toLowerCase() !== this.gateway.username.toLowerCase()) return;
    if (!KNOWN_COMMANDS.has(command.name) && !isPrivate) return;
    const actor = await this.access.resolve(message.from, message.chatId, message.chatKind);
    if (!actor) return this.refuse(message);
    await this.respond(message, `/${command.name}`, () =>
      this.limited(message.from.id, command.name, () => this.run(command.name, command.args, actor, message)),
    );
  }

  private async onFile(message: BotMessage, file: BotAttachment): Promise<void> {
    const actor = await this.access.resolve(message.from, message.chatId, message.chatKind);
    if (!actor) return this.refuse(message);
    await this.respond(message, 'a sent file', () =>
      this.limited(message.from.id, 'leech', async () => ({
        html: await this.tasks.leechFile(actor, message, file, message.messageId, message.text),
        followUp: () => this.board.show(message.chatId),
      })),
    );
  }

  /** `work`'s answer within the user's command limits; over them, a plain reply once, then silence. */
  private async limited(userId: number, command: string, work: () => Promise<Answer>): Promise<Answer> {
    const verdict = await this.limits.check(userId, command);
    if (verdict.allowed) return work();
    return verdict.tell ? { html: escapeHtml(verdict.tell) } : undefined;
  }

  /** Runs `work` and delivers its answer by the silent-manager rule; errors become a readable answer. */
  private async respond(message: BotMessage, what: string, work: () => Promise<Answer>): Promise<void> {
    const to: Recipient = {
      user: message.from,
      chatId: message.chatId,
      private: message.chatKind === 'private',
    };
    let answer: Answer;
    try {
      answer = await work();
    } catch (error) {
      answer = { html: `⚠️ ${escapeHtml(this.explain(error, what))}` };
    }
    if (!answer) return;
    await this.notifier.tell(to, answer.html, answer.options);
    await answer.followUp?.().catch((error: unknown) => this.explain(error, `${what} follow-up`));
  }

  async onCallback(callback: BotCallback): Promise<void> {
    const actor = await this.access.resolve(
      callback.from,
      callback.chatId,
      callback.chatId < 0 ? 'supergroup' : 'private',
    );
    if (!actor)
      return this.gateway.answerCallback(callback.id, 'You are not authorized to use this bot.', true);
    const [action, value] = callback.data.split(':');
    const verdict = await this.limits.check(callback.from.id, action);
    if (!verdict.allowed)
      return this.gateway.answerCallback(callback.id, verdict.tell, Boolean(verdict.tell));
    try {
      if (action === 'cancel' && value) {
        return await this.gateway.answerCallback(
          callback.id,
          await this.tasks.cancelFromButton(actor, value),
        );
      }
      if (action === 'page' && /^\d{1,4}$/.test(value ?? '')) {
        await this.gateway.answerCallback(callback.id);
        return await this.board.showPage(callback.chatId, Number(value));
      }
      await this.gateway.answerCallback(callback.id);
    } catch (error) {
      await this.gateway.answerCallback(callback.id, this.explain(error, 'a button'), true);
    }
  }

  private async run(name: string, args: string, actor: BotActor, message: BotMessage): Promise<Answer> {
    const text = (html: string): Answer => ({ html });
    switch (name) {
      case 'start':
      case 'help':
        return text(helpText(actor.isAdmin));
      case 'leech':
      case 'retry':
        return {
          html:
            name === 'leech'
              ? await this.tasks.leech(actor, message, args)
              : await this.tasks.retry(actor, message, args),
          followUp: () => this.board.show(message.chatId),
        };
      case 'cancel':
        return text(await this.tasks.cancel(actor, message.chatId, args));
      case 'status':
        return (await this.board.repost(message.chatId)) ? undefined : text('No active tasks in this chat.');
      case 'search':
        return text(await this.search.answer(args));
      case 'login': {
        const link = await this.magicLinks.create({ telegramId: actor.user.id }, `telegram:${actor.user.id}`);
        return {
          html: `🔑 <a href="${escapeHtml(link.url)}">Sign in to StreamVault</a> as <b>${escapeHtml(
            actor.account.username,
          )}</b>. The link works once, for 15 minutes.`,
          options: { fallbackHtml: 'Send /login in a private chat with me to get your sign-in link.' },
        };
      }
      case 'health':
        return text(actor.isAdmin ? await this.admin.health() : 'Only admins can use /health.');
      case 'stats':
        return text(actor.isAdmin ? await this.admin.stats() : 'Only admins can use /stats.');
      default:
        return text(`I do not know /${escapeHtml(name)}; /help lists what I can do.`);
    }
  }

  /** One polite refusal per chat an hour; silence after that. */
  private async refuse(message: BotMessage): Promise<void> {
    if (!(await this.access.mayRefuse(message.chatId))) return;
    const html =
      message.chatKind === 'private'
        ? `Sorry, you are not authorized to use this bot. An admin can link your Telegram id <code>${message.from.id}</code> to a StreamVault account.`
        : `Sorry, this chat is not authorized to use this bot. An admin can add chat id <code>${message.chatId}</code> to BOT_AUTHORIZED_CHATS.`;
    try {
      await this.gateway.send(message.chatId, html);
    } catch (error) {
      this.logger.warn(`refusal to chat ${message.chatId} not delivered: ${(error as Error).message}`);
    }
  }

  private explain(error: unknown, what: string): string {
    if (error instanceof AppError) return error.message;
    this.logger.error(`${what} failed: ${(error as Error).stack ?? String(error)}`);
    return 'Something went wrong on our side; the admins can find the details in the log.';
  }
}
