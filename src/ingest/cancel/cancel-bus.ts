import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { RedisChannel, TEXT_CODEC } from '../../core/redis/redis-channel.js';
import { RedisClient } from '../../core/redis/redis-client.js';

export class TaskCancelledError extends Error {
  override name = 'TaskCancelledError';
  constructor(readonly taskId: string) {
    super(`task ${taskId} was cancelled`);
  }
}

/**
 * Cancel signals over Redis pub/sub: the manager publishes a task id, and whichever worker runs that
 * task aborts it. A worker subscribes when it first runs a task.
 */
@Injectable()
export class CancelBus implements OnModuleDestroy {
  private readonly logger = new Logger('ingest');
  private readonly running = new Map<string, AbortController>();
  private readonly cancels: RedisChannel<string>;
  private subscribing?: Promise<unknown>;

  constructor(redis: RedisClient) {
    this.cancels = new RedisChannel(redis, ['ingest', 'cancel'], TEXT_CODEC, { logger: this.logger });
  }

  async publish(taskId: string): Promise<void> {
    await this.cancels.publish(taskId);
  }

  /** Registers a running task; its controller aborts when a cancel for it arrives. */
  async track(taskId: string): Promise<AbortController> {
    await (this.subscribing ??= this.cancels.subscribe((id) => this.cancel(id)));
    const controller = new AbortController();
    this.running.set(taskId, controller);
    return controller;
  }

  untrack(taskId: string): void {
    this.running.delete(taskId);
  }

  private cancel(taskId: string): void {
    const controller = this.running.get(taskId);
    if (!controller) return;
    this.logger.log(`cancelling task ${taskId}`);
    controller.abort(new TaskCancelledError(taskId));
  }

  onModuleDestroy(): void {
    this.cancels.close();
  }
}
