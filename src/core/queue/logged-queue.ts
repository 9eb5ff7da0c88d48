import { Logger } from '@nestjs/common';
import { Queue, type QueueOptions } from 'bullmq';

/**
 * The producer queues, with their connection errors logged from construction on, once per distinct
 * message: a BullMQ queue without an `error` listener hands every reconnect failure to
 * `console.error` (raw multi-line stacks, dozens a minute while Redis is away), and the first ones
 * come before any module's init could listen.
 */
export class LoggedQueue extends Queue {
  private static readonly logger = new Logger('queue');
  private lastError = '';

  constructor(name: string, options?: QueueOptions) {
    super(name, options);
    this.on('error', (error: Error) => {
      if (error.message === this.lastError) return;
      this.lastError = error.message;
      LoggedQueue.logger.error(`queue "${name}": ${error.message}`);
    });
  }
}
