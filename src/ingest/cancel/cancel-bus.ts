import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { type Redis } from 'ioredis';
import { RedisClient } from '../../core/redis/redis-client.js';

export class TaskCancelledError extends Error {
  override name = 'TaskCancelledError';
  constructor(readonly taskId: string) {
    super(`task ${taskId} was cancelled`);
  }
}

/**
 * Cancel signals over Redis pub/sub: the manager publishes a task id, and whichever worker runs that
 * task aborts it. Subscribing needs a connection of its own (a subscribed connection can do nothing else).
 */
@Injectable()
export class CancelBus implements OnModuleDestroy {
  private readonly logger = new Logger('ingest');
  private readonly running = new Map<string, AbortController>();
  private subscribing?: Promise<Redis>;

  constructor(private readonly redis: RedisClient) {}

  private get channel(): string {
    return this.redis.key('ingest', 'cancel');
  }

  async publish(taskId: string): Promise<void> {
    await this.redis.client.publish(this.channel, taskId);
  }

  /** Registers a running task; its controller aborts when a cancel for it arrives. */
  async track(taskId: string): Promise<AbortController> {
    await this.subscribe();
    const controller = new AbortController();
    this.running.set(taskId, controller);
    return controller;
  }

  untrack(taskId: string): void {
    this.running.delete(taskId);
  }

  private subscribe(): Promise<Redis> {
    this.subscribing ??= (async () => {
      const subscriber = this.redis.client.duplicate({ keyPrefix: '' });
      subscriber.on('message', (_channel: string, taskId: string) => {
        const controller = this.running.get(taskId);
        if (!controller) return;
        this.logger.log(`cancelling task ${taskId}`);
        controller.abort(new TaskCancelledError(taskId));
      });
      subscriber.on('error', (error: Error) => this.logger.warn(`cancel subscription: ${error.message}`));
      await subscriber.subscribe(this.channel);
      return subscriber;
    })();
    return this.subscribing;
  }

  async onModuleDestroy(): Promise<void> {
    if (this.subscribing) (await this.subscribing).disconnect();
  }
}
