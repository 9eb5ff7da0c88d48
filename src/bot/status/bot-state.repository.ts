import { Injectable } from '@nestjs/common';
import { RedisClient } from '../../core/redis/redis-client.js';

/** A task the bot follows for a chat: who asked, and the message that asked (deleted when it ends). */
export interface TrackedTask {
  taskId: string;
  chatId: number;
  userId: number;
  userName: string;
  /** The group message that started it, deleted when the task ends (groups only). */
  triggerMessageId?: number;
  trackedAt: number;
}

/** The one status message of a chat and the text it shows now (so an unchanged text is not re-sent). */
export interface StatusMessage {
  messageId: number;
  text: string;
  page: number;
  editedAt: number;
}

/**
 * What the bot must remember across manager restarts, in Redis: the chats with tracked tasks, each
 * task's requester and trigger message, each chat's status message, and 429 pauses.
 */
@Injectable()
export class BotStateRepository {
  constructor(private readonly redis: RedisClient) {}

  /**
   * Follows the task for the chat. Each chat keeps its own record (one task can be followed by
   * several: the same link sent from two chats), and a chat's first requester stays its requester.
   */
  async track(task: TrackedTask): Promise<void> {
    const fields: Record<string, string> = {
      chatId: String(task.chatId),
      userId: String(task.userId),
      userName: task.userName,
      trackedAt: String(task.trackedAt),
    };
    if (task.triggerMessageId !== undefined) fields.triggerMessageId = String(task.triggerMessageId);
    if (await this.task(task.chatId, task.taskId)) return;
    await this.redis.client
      .multi()
      .del(`bot:chat:${task.chatId}:unreachable`) // a new request from the chat: the bot is back in it
      .hset(taskKey(task.chatId, task.taskId), fields)
      .zadd(`bot:chat:${task.chatId}:tasks`, task.trackedAt, task.taskId)
      .sadd('bot:chats', String(task.chatId))
      .exec();
  }

  async untrack(chatId: number, taskId: string): Promise<void> {
    const multi = this.redis.client
      .multi()
      .del(taskKey(chatId, taskId))
      .zrem(`bot:chat:${chatId}:tasks`, taskId);
    if (await this.legacyTask(chatId, taskId)) multi.del(legacyTaskKey(taskId));
    await multi.exec();
  }

  async chats(): Promise<number[]> {
    return (await this.redis.client.smembers('bot:chats')).map(Number);
  }

  /** The chat's tracked tasks, oldest first. */
  async tasksOf(chatId: number): Promise<TrackedTask[]> {
    const ids = await this.redis.client.zrange(`bot:chat:${chatId}:tasks`, '0', '-1');
    const tasks = await Promise.all(ids.map((id) => this.task(chatId, id)));
    return tasks.filter((task): task is TrackedTask => task !== undefined);
  }

  async task(chatId: number, taskId: string): Promise<TrackedTask | undefined> {
    const fields = await this.redis.client.hgetall(taskKey(chatId, taskId));
    return fields.chatId ? trackedTask(taskId, fields) : this.legacyTask(chatId, taskId);
  }

  /** A record written before records were kept per chat (`bot:task:<id>`), if it is this chat's. */
  private async legacyTask(chatId: number, taskId: string): Promise<TrackedTask | undefined> {
    const fields = await this.redis.client.hgetall(legacyTaskKey(taskId));
    return Number(fields.chatId) === chatId ? trackedTask(taskId, fields) : undefined;
  }

  async statusMessage(chatId: number): Promise<StatusMessage | undefined> {
    const fields = await this.redis.client.hgetall(`bot:chat:${chatId}:status`);
    if (!fields.messageId) return undefined;
    return {
      messageId: Number(fields.messageId),
      text: fields.text ?? '',
      page: Number(fields.page ?? 0),
      editedAt: Number(fields.editedAt ?? 0),
    };
  }

  async saveStatusMessage(chatId: number, status: StatusMessage): Promise<void> {
    await this.redis.client.hset(`bot:chat:${chatId}:status`, {
      messageId: String(status.messageId),
      text: status.text,
      page: String(status.page),
      editedAt: String(status.editedAt),
    });
  }

  async setPage(chatId: number, page: number): Promise<void> {
    await this.redis.client.hset(`bot:chat:${chatId}:status`, { page: String(page) });
  }

  async forgetStatusMessage(chatId: number): Promise<void> {
    await this.redis.client.del(`bot:chat:${chatId}:status`);
  }

  /** Drops a chat with nothing left to show. */
  async forgetChat(chatId: number): Promise<void> {
    await this.redis.client
      .multi()
      .srem('bot:chats', String(chatId))
      .del(
        `bot:chat:${chatId}:status`,
        `bot:chat:${chatId}:tasks`,
        `bot:chat:${chatId}:unreachable`,
        `bot:chat:${chatId}:repost`,
      )
      .exec();
  }

  /**
   * The bot may no longer write to the chat (kicked from the group, blocked in private): its status
   * message is given up on; its tasks are still followed, so their requesters hear of them.
   */
  async markUnreachable(chatId: number): Promise<void> {
    await this.redis.client
      .multi()
      .set(`bot:chat:${chatId}:unreachable`, '1')
      .del(`bot:chat:${chatId}:status`)
      .exec();
  }

  async isUnreachable(chatId: number): Promise<boolean> {
    return (await this.redis.client.exists(`bot:chat:${chatId}:unreachable`)) === 1;
  }

  /** After a 429: no calls for this chat until the pause ends. */
  async pause(chatId: number, seconds: number): Promise<void> {
    await this.redis.client.set(`bot:chat:${chatId}:paused`, '1', 'PX', Math.max(1, seconds) * 1000);
  }

  async isPaused(chatId: number): Promise<boolean> {
    return (await this.redis.client.exists(`bot:chat:${chatId}:paused`)) === 1;
  }

  /** A /status asked for during a pause: the first round after it posts the message anew. */
  async requestRepost(chatId: number): Promise<void> {
    await this.redis.client.set(`bot:chat:${chatId}:repost`, '1');
  }

  /** True (once) when a repost was asked for. */
  async takeRepost(chatId: number): Promise<boolean> {
    return (await this.redis.client.del(`bot:chat:${chatId}:repost`)) === 1;
  }

  /** One status tick per interval across every manager of the install. */
  async claimTick(ms: number): Promise<boolean> {
    return (await this.redis.client.set('bot:tick', '1', 'PX', ms, 'NX')) === 'OK';
  }
}

const taskKey = (chatId: number, taskId: string) => `bot:chat:${chatId}:task:${taskId}`;
const legacyTaskKey = (taskId: string) => `bot:task:${taskId}`;

function trackedTask(taskId: string, fields: Record<string, string>): TrackedTask {
  return {
    taskId,
    chatId: Number(fields.chatId),
    userId: Number(fields.userId),
    userName: fields.userName ?? '',
    triggerMessageId: fields.triggerMessageId ? Number(fields.triggerMessageId) : undefined,
    trackedAt: Number(fields.trackedAt),
  };
}
