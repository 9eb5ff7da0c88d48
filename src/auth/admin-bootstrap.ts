import { Injectable, Logger } from '@nestjs/common';
import { BootDataJob } from '../core/util/boot-data-job.js';
import { UserService } from './user.service.js';

/** Creates the first admin once the database answers, without holding up boot while it does not. */
@Injectable()
export class AdminBootstrap extends BootDataJob {
  protected readonly logger = new Logger('auth');
  protected readonly task = 'check for an admin account';

  constructor(private readonly users: UserService) {
    super();
  }

  run(): Promise<unknown> {
    return this.users.bootstrapAdmin();
  }
}
