import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { UserService } from './user.service.js';
import { retryUntilDone } from '../core/util/retry-until-done.js';

/** Creates the first admin once the database answers, without holding up boot while it does not. */
@Injectable()
export class AdminBootstrap implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('auth');
  private stopped = false;

  constructor(private readonly users: UserService) {}

  onApplicationBootstrap(): void {
    void this.run();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
  }

  private run(): Promise<void> {
    return retryUntilDone(
      () => this.users.bootstrapAdmin(),
      () => this.stopped,
      (error) => this.logger.error(`could not check for an admin account yet: ${error.message}; retrying`),
    );
  }
}
