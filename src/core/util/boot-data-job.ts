import { type Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { retryUntilDone } from './retry-until-done.js';

/**
 * Data work a process does once after boot (the first admin, a migration, a backfill) without holding
 * boot up: started in the background, retried while the database does not answer (1 s, 2 s … 15 s),
 * given up at shutdown. `run` must be idempotent: several managers may run it at once, and a crash
 * leaves it to the next boot.
 */
export abstract class BootDataJob implements OnApplicationBootstrap, OnApplicationShutdown {
  /** Set at shutdown: a long `run` checks it between steps. */
  protected stopped = false;
  protected abstract readonly logger: Logger;
  /** What the job does, for its retry line: "could not <task> yet: …". */
  protected abstract readonly task: string;

  abstract run(): Promise<unknown>;

  onApplicationBootstrap(): void {
    void retryUntilDone(
      () => this.run(),
      () => this.stopped,
      (error) => this.logger.error(`could not ${this.task} yet: ${error.message}; retrying`),
    );
  }

  onApplicationShutdown(): void {
    this.stopped = true;
  }
}
