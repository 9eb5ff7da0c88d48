import { Injectable } from '@nestjs/common';
import { AppError } from '../../core/errors/app-error.js';
import { IngestService } from '../../ingest/ingest.service.js';
import { type BotActor } from '../access/bot-access.service.js';
import { type BotAttachment, type BotMessage } from '../gateway/bot-events.js';
import { escapeHtml, shortId } from '../format/text-format.js';
import { StatusBoard } from '../status/status-board.service.js';
import { taskName } from '../status/status-view.js';

const LINK = /(?:https?:\/\/|magnet:\?)[^\s<>"]+/i;

/** `/leech`, `/cancel`, `/retry`: ingest through the bot, each answer a sentence for the user. */
@Injectable()
export class BotTasksService {
  constructor(
    private readonly ingest: IngestService,
    private readonly board: StatusBoard,
  ) {}

  /**
   * `/leech <url> [hint]`, or `/leech [hint]` as a reply to a message containing a link. The task is
   * followed in the chat; the caller shows the status message once the user has the answer.
   */
  async leech(actor: BotActor, message: BotMessage, args: string): Promise<string> {
    if (!actor.canIngest) return 'Your account may search and watch, but not add media.';
    let url = LINK.exec(args)?.[0];
    let hint = url ? args.replace(url, '') : args;
    if (!url && message.replyTo) url = LINK.exec(message.replyTo.text)?.[0];
    if (!url) {
      // A file captioned `/leech [hint]`, or `/leech [hint]` as a reply to a file.
      if (message.attachment)
        return this.leechFile(actor, message, message.attachment, message.messageId, args);
      const replied = message.replyTo;
      if (replied?.attachment)
        return this.leechFile(actor, message, replied.attachment, replied.messageId, args);
      return 'Send <code>/leech &lt;link&gt; [name hint]</code>, or reply <code>/leech</code> to a message with a link or a file.';
    }
    hint = hint.trim();
    const { taskId, existing } = await this.ingest.submit({
      url,
      hint: hint || undefined,
      requester: actor.identity,
      chatId: message.chatId,
    });
    return this.follow(actor, message, taskId, existing, 'This link');
  }

  /**
   * A video or document sent or forwarded to the bot (in private, or captioned `/leech` in a group):
   * fetched back from Telegram by a worker; the caption, if any, is the name hint.
   */
  async leechFile(
    actor: BotActor,
    message: BotMessage,
    file: BotAttachment,
    fileMessageId: number,
    hint: string,
  ): Promise<string> {
    if (!actor.canIngest) return 'Your account may search and watch, but not add media.';
    const { taskId, existing } = await this.ingest.submitTelegramFile({
      file: {
        fileId: file.fileId,
        fileUniqueId: file.fileUniqueId,
        size: file.size,
        fileName: file.fileName,
        mime: file.mime,
        chatId: message.chatId,
        messageId: fileMessageId,
      },
      hint: hint.trim() || undefined,
      requester: actor.identity,
      chatId: message.chatId,
    });
    return this.follow(actor, message, taskId, existing, 'This file');
  }

  /** Follows the task in the chat's status message and says so. */
  private async follow(
    actor: BotActor,
    message: BotMessage,
    taskId: string,
    existing: boolean,
    what: string,
  ): Promise<string> {
    const group = message.chatKind !== 'private';
    await this.board.track({
      taskId,
      chatId: message.chatId,
      userId: actor.user.id,
      userName: actor.user.name,
      triggerMessageId: group ? message.messageId : undefined,
      trackedAt: Date.now(),
    });
    const view = await this.ingest.get(taskId);
    const task = `<b>${escapeHtml(taskName(view))}</b> (task <code>${shortId(taskId)}</code>)`;
    return existing
      ? `${what} is already being fetched: ${task}. You will hear when it is done.`
      : `Added to the queue: ${task}. You will hear when it is done.`;
  }

  async cancel(actor: BotActor, chatId: number, args: string): Promise<string> {
    const taskId = await this.taskIdFrom(actor, chatId, args, 'cancel');
    const view = await this.ingest.cancel(taskId, actor.identity);
    return `Cancelled <b>${escapeHtml(taskName(view))}</b>.`;
  }

  /** Cancel from the status message's button; the answer is a short callback toast. */
  async cancelFromButton(actor: BotActor, taskId: string): Promise<string> {
    try {
      const view = await this.ingest.cancel(taskId, actor.identity);
      return `Cancelled ${taskName(view)}`;
    } catch (error) {
      if (error instanceof AppError) return error.message;
      throw error;
    }
  }

  async retry(actor: BotActor, message: BotMessage, args: string): Promise<string> {
    const taskId = await this.taskIdFrom(actor, message.chatId, args, 'retry');
    const view = await this.ingest.retry(taskId, actor.identity);
    await this.board.track({
      taskId,
      chatId: message.chatId,
      userId: actor.user.id,
      userName: actor.user.name,
      trackedAt: Date.now(),
    });
    return `Retrying <b>${escapeHtml(taskName(view))}</b>.`;
  }

  /**
   * A full task id, or a short one (a prefix): of a task this chat follows, else of one of the
   * actor's own tasks (anyone's for an admin), so a task that ended and is no longer followed can
   * still be retried by the short id its last message showed.
   */
  private async taskIdFrom(actor: BotActor, chatId: number, args: string, command: string): Promise<string> {
    const given = (args.trim().split(/\s+/)[0] ?? '').toLowerCase();
    if (/^[0-9a-f-]{36}$/.test(given)) return given;
    if (/^[0-9a-f][0-9a-f-]{3,34}$/.test(given)) {
      const tracked = await this.board.findTracked(chatId, given);
      if (tracked) return tracked;
      const [found, other] = await this.ingest.idsStartingWith(given, actor.identity);
      if (found && !other) return found;
      if (other)
        throw new AppError(
          400,
          'bad_request',
          `More than one task id starts with ${given}; send more of it, or the whole id.`,
        );
      throw new AppError(
        404,
        'not_found',
        actor.isAdmin
          ? `No task id starts with ${given}.`
          : `None of your tasks has an id starting with ${given}.`,
      );
    }
    throw new AppError(
      400,
      'bad_request',
      `Send /${command} <task id>: the short id the bot showed for the task (when it was added, in the status message, or when it failed or was cancelled).`,
    );
  }
}
