import { Injectable, Logger } from '@nestjs/common';
import { RedisClient } from '../../core/redis/redis-client.js';

export interface TaskStatus {
  state: string;
  engine?: string;
  bytesDone: number;
  bytesTotal?: number;
  /** Smoothed bytes per second. */
  speed: number;
  etaSeconds?: number;
  updatedAt: number;
}

const WRITE_EVERY_MS = 1000;
const KEEP_SECONDS = 7 * 24 * 3600;

/**
 * Live progress per task in a Redis hash, read by the API (and later the bot and dashboard). Progress
 * writes are limited to one a second per task; state changes are always written at once.
 */
@Injectable()
export class StatusRegistry {
  private readonly logger = new Logger('ingest');
  private readonly lastWrite = new Map<string, number>();

  constructor(private readonly redis: RedisClient) {}

  async report(taskId: string, status: Omit<TaskStatus, 'updatedAt'>, force = false): Promise<void> {
    const now = Date.now();
    if (!force && now - (this.lastWrite.get(taskId) ?? 0) < WRITE_EVERY_MS) return;
    this.lastWrite.set(taskId, now);
    const fields: Record<string, string> = { updatedAt: String(now) };
    for (const [key, value] of Object.entries(status)) if (value !== undefined) fields[key] = String(value);
    const key = `ingest:status:${taskId}`;
    try {
      await this.redis.client.multi().del(key).hset(key, fields).expire(key, KEEP_SECONDS).exec();
    } catch (error) {
      // Live progress is a view, not the record (that is the task in MongoDB): a task must not fail,
      // nor a worker crash, because Redis is away for a moment.
      this.logger.debug(`task ${taskId}: status not published: ${(error as Error).message}`);
    }
    if (['done', 'failed', 'cancelled'].includes(status.state)) this.lastWrite.delete(taskId);
  }

  async read(taskId: string): Promise<TaskStatus | undefined> {
    const fields = await this.redis.client.hgetall(`ingest:status:${taskId}`);
    if (!fields.state) return undefined;
    const number = (value?: string) => (value === undefined ? undefined : Number(value));
    return {
      state: fields.state,
      engine: fields.engine,
      bytesDone: Number(fields.bytesDone ?? 0),
      bytesTotal: number(fields.bytesTotal),
      speed: Number(fields.speed ?? 0),
      etaSeconds: number(fields.etaSeconds),
      updatedAt: Number(fields.updatedAt),
    };
  }
}
