import { Injectable, Logger } from '@nestjs/common';
import { AppError } from '../../core/errors/app-error.js';
import { HeartbeatRepository } from '../../core/heartbeat/heartbeat.repository.js';
import { type InstanceHeartbeat } from '../../core/heartbeat/instance-heartbeat.js';
import { RedisMutex } from '../../core/redis/redis-mutex.js';
import { SettingsService } from '../../core/settings/settings.service.js';
import { IngestService, type TaskView } from '../../ingest/ingest.service.js';
import { ACTIVE_STATES, type TaskState } from '../../ingest/schemas/ingest-task.schema.js';
import { isBotApiError } from '../gateway/bot-api.error.js';
import { BotGateway } from '../gateway/telegraf-bot.gateway.js';
import { CompletionNotifier } from '../library/completion-notifier.service.js';
import { BotStateRepository, type TrackedTask } from './bot-state.repository.js';
import { renderStatus } from './status-view.js';

type Refresh = 'tick' | 'post' | 'repost' | 'page';

/**
 * One live status message per chat with tracked tasks. Every STATUS_INTERVAL the message is edited,
 * only when its text changed and never sooner than the interval after the last edit ended; a 429 pauses
 * the chat for `retry_after`. Finished tasks are announced to their requester, their trigger message
 * is deleted, and a chat with nothing left loses its status message.
 */
/** How long a finished task's announcement waits for its stills before going without a picture. */
const STILLS_WAIT_MS = 30000;

@Injectable()
export class StatusBoard {
  private readonly logger = new Logger('bot');
  private readonly startedAt = Date.now();

  constructor(
    private readonly gateway: BotGateway,
    private readonly state: BotStateRepository,
    private readonly ingest: IngestService,
    private readonly heartbeats: HeartbeatRepository,
    private readonly completion: CompletionNotifier,
    private readonly mutex: RedisMutex,
    private readonly settings: SettingsService,
  ) {}

  private get intervalMs(): number {
    return this.settings.cached().botStatusIntervalSeconds * 1000;
  }

  /** One status round over every chat (once per interval across all managers). */
  async tick(): Promise<void> {
    if (!(await this.state.claimTick(this.intervalMs - 250))) return;
    const workers = await this.heartbeats.withRole('worker');
    for (const chatId of await this.state.chats()) {
      try {
        await this.refresh(chatId, 'tick', workers);
      } catch (error) {
        this.logger.error(`status of chat ${chatId}: ${(error as Error).message}`);
      }
    }
  }

  /** Starts following a task for a chat (shown from the next round, or at once with `show`). */
  async track(task: TrackedTask): Promise<void> {
    await this.state.track(task);
  }

  /** Posts the chat's status message now if it has none (after a /leech). */
  async show(chatId: number): Promise<void> {
    await this.refresh(chatId, 'post');
  }

  /** `/status`: the message is posted anew at the bottom and the old one deleted. False: nothing active. */
  async repost(chatId: number): Promise<boolean> {
    return this.refresh(chatId, 'repost');
  }

  async showPage(chatId: number, page: number): Promise<void> {
    await this.state.setPage(chatId, page);
    await this.refresh(chatId, 'page');
  }

  /** The chat's tracked task whose id starts with `prefix` (people type the 8-character short id). */
  async findTracked(chatId: number, prefix: string): Promise<string | undefined> {
    const matches = (await this.state.tasksOf(chatId)).filter((task) => task.taskId.startsWith(prefix));
    return matches.length === 1 ? matches[0].taskId : undefined;
  }

  private async refresh(chatId: number, mode: Refresh, workers?: InstanceHeartbeat[]): Promise<boolean> {
    // Renewed while held: announcing several finished tasks (stills read, photos sent, each waiting on
    // Telegram) can outlast the TTL, and a second refresh of the chat must not start meanwhile.
    return this.mutex.withLock(`bot:chat:${chatId}`, () => this.refreshLocked(chatId, mode, workers), {
      ttlMs: 60_000,
      waitMs: 30_000,
      renew: true,
    });
  }

  private async refreshLocked(
    chatId: number,
    mode: Refresh,
    workers?: InstanceHeartbeat[],
  ): Promise<boolean> {
    // Telegram asked for quiet (429): nothing for this chat, announcements included, until it ends,
    // whatever asks (a /status, a page button, a /leech). The first round after it catches up: it
    // posts a missing message, shows the page asked for, and reposts when /status asked.
    if (await this.state.isPaused(chatId)) {
      if (mode === 'repost') await this.state.requestRepost(chatId);
      return true;
    }
    const active: { view: TaskView; tracked: TrackedTask }[] = [];
    // Finished tasks not announced yet: waiting for their stills, or their announcement must wait.
    let unannounced = false;
    let deferred = false;
    for (const tracked of await this.state.tasksOf(chatId)) {
      const view = await this.view(tracked.taskId);
      if (!view) await this.state.untrack(chatId, tracked.taskId);
      else if (ACTIVE_STATES.includes(view.state as TaskState)) active.push({ view, tracked });
      // A done task's still follows within seconds: announce with it (unless it is taking too long).
      else if (view.stillsPending && Date.now() - view.updatedAt.getTime() < STILLS_WAIT_MS)
        unannounced = true;
      // After one announcement had to wait (the chat is paused now), the others wait with it.
      else if (deferred || !(await this.finish(view, tracked))) unannounced = deferred = true;
    }
    if (deferred) return true;
    const status = await this.state.statusMessage(chatId);
    // Only finished tasks still to announce: keep the chat (and its message) for the next round,
    // which announces them; forgetting it here would drop their announcement.
    if (active.length === 0 && unannounced) return false;
    // A chat the bot was put out of: no status message there, only the announcements in DMs.
    if (active.length > 0 && (await this.state.isUnreachable(chatId))) return true;
    if (active.length === 0) {
      if (status?.messageId) await this.quietly(() => this.gateway.delete(chatId, status.messageId), chatId);
      await this.state.forgetChat(chatId);
      return false;
    }
    if (mode === 'tick' && (await this.state.takeRepost(chatId))) mode = 'repost';
    const now = Date.now();
    if (mode === 'tick' && status?.messageId && now - status.editedAt < this.intervalMs) return true;
    const rendered = renderStatus({
      tasks: active,
      page: status?.page ?? 0,
      workers: workers ?? (await this.heartbeats.withRole('worker')),
      uptimeSeconds: (now - this.startedAt) / 1000,
      now,
    });
    const fingerprint = `${rendered.text}\n${JSON.stringify(rendered.keyboard)}`;
    // The interval runs from when Telegram answered, not from when we asked: an edit that took
    // seconds on a slow Bot API, timed from its start, left no pause before the next one.
    const saved = () => ({ text: fingerprint, page: rendered.page, editedAt: Date.now() });
    try {
      if (!status?.messageId || mode === 'repost') {
        if (mode === 'post' && status?.messageId) return true;
        const messageId = await this.gateway.send(chatId, rendered.text, { keyboard: rendered.keyboard });
        await this.state.saveStatusMessage(chatId, { messageId, ...saved() });
        if (status?.messageId)
          await this.quietly(() => this.gateway.delete(chatId, status.messageId), chatId);
      } else if (status.text !== fingerprint) {
        await this.gateway.edit(chatId, status.messageId, rendered.text, rendered.keyboard);
        await this.state.saveStatusMessage(chatId, { messageId: status.messageId, ...saved() });
      }
    } catch (error) {
      if (isBotApiError(error, 'rate_limited')) {
        this.logger.warn(`chat ${chatId}: Telegram asked for ${error.retryAfterSeconds} s of quiet`);
        await this.state.pause(chatId, error.retryAfterSeconds);
      } else if (isBotApiError(error, 'unreachable')) {
        this.logger.warn(`chat ${chatId}: no longer showing its status there (${error.message})`);
        await this.state.markUnreachable(chatId);
      } else if (isBotApiError(error, 'gone')) {
        await this.state.forgetStatusMessage(chatId); // deleted by someone: the next round posts a new one
      } else if (!isBotApiError(error, 'not_modified')) {
        throw error;
      }
    }
    return true;
  }

  private async view(taskId: string): Promise<TaskView | undefined> {
    try {
      return await this.ingest.get(taskId);
    } catch (error) {
      if (error instanceof AppError && error.getStatus() === 404) return undefined;
      throw error;
    }
  }

  /**
   * A task ended: tell its requester, remove the message that asked for it, stop following it. False
   * when the announcement must wait (429, Telegram down): the task stays followed and the chat pauses
   * for Telegram's `retry_after`, so the next round after it announces again. A requester the bot can
   * never reach (blocked, no fallback) is given up on.
   */
  private async finish(view: TaskView, tracked: TrackedTask): Promise<boolean> {
    const to = {
      user: { id: tracked.userId, name: tracked.userName },
      chatId: tracked.chatId,
      private: tracked.chatId === tracked.userId,
    };
    try {
      const delivery = await this.completion.announce(view, to);
      if (delivery.outcome === 'later') {
        await this.state.pause(tracked.chatId, delivery.retryAfterSeconds);
        return false;
      }
    } catch (error) {
      this.logger.error(`announcing task ${view.taskId}: ${(error as Error).message}`);
    }
    if (tracked.triggerMessageId !== undefined) {
      const messageId = tracked.triggerMessageId;
      await this.quietly(() => this.gateway.delete(tracked.chatId, messageId), tracked.chatId);
    }
    await this.state.untrack(tracked.chatId, view.taskId);
    return true;
  }

  /** Deletions that may fail harmlessly (no right to delete, already gone). */
  private async quietly(call: () => Promise<void>, chatId: number): Promise<void> {
    try {
      await call();
    } catch (error) {
      if (isBotApiError(error, 'rate_limited')) await this.state.pause(chatId, error.retryAfterSeconds);
      else if (!isBotApiError(error)) throw error;
      else this.logger.debug(`chat ${chatId}: ${error.message}`);
    }
  }
}
