import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ownerTenantId } from '../../core/tenancy/tenant.js';
import { UserRepository } from '../user.repository.js';
import { retryUntilDone } from '../../core/util/retry-until-done.js';

/**
 * Upgrading an install from install-wide usernames: claims every existing account's name on its site
 * in `account_names`, then drops the old unique index on `users.username` (in that order, so a crash
 * in between leaves the old index guarding until the next boot claims the rest). Until then sign-in
 * falls back to the old lookup. Idempotent; several managers may run it at once. Retries like the
 * admin bootstrap while the database does not answer.
 */
@Injectable()
export class AccountNamesMigration implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('auth');
  private stopped = false;

  constructor(private readonly users: UserRepository) {}

  onApplicationBootstrap(): void {
    void this.runUntilDone();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
  }

  /** Returns how many names it claimed (0 when there was nothing to migrate). */
  async run(): Promise<number> {
    if (!(await this.users.legacyIndexPresent())) return 0;
    let claimed = 0;
    for await (const user of this.users.eachName()) {
      const site = ownerTenantId(user);
      if (await this.users.claimName(site, user.username, user._id)) claimed++;
      else this.logger.warn(`the name "${user.username}" on site ${site} is claimed by another account`);
    }
    await this.users.dropLegacyIndex();
    this.logger.log(`usernames are per site now: claimed ${claimed} name(s), dropped the install-wide index`);
    return claimed;
  }

  private runUntilDone(): Promise<void> {
    return retryUntilDone(
      () => this.run(),
      () => this.stopped,
      (error) => this.logger.error(`could not migrate usernames yet: ${error.message}; retrying`),
    );
  }
}
