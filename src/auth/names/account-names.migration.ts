import { Injectable, Logger } from '@nestjs/common';
import { MigrationMarks } from '../../core/database/migration-marks.repository.js';
import { ownerTenantId } from '../../core/tenancy/tenant.js';
import { BootDataJob } from '../../core/util/boot-data-job.js';
import { UserRepository } from '../user.repository.js';
import { AccountNameRepository } from './account-name.repository.js';

/** Marks that every account's name has its claim in lower case (see account-name.schema.ts). */
export const FOLDED_NAMES_MIGRATION = 'account-names-folded';

/**
 * Brings older installs' usernames to how they are kept now, once (several managers may run it at
 * once; it is idempotent):
 * - from install-wide usernames: claims every account's name on its site in `account_names`, then drops
 *   the old unique index on `users.username` (in that order, so a crash in between leaves the old index
 *   guarding until the next boot claims the rest; until then sign-in falls back to the old lookup);
 * - from names compared with their case: claims every name in lower case, so "Alice" stops a new
 *   "alice". Of two old accounts differing only in case, the first keeps the folded claim and the other
 *   an exact one: both go on signing in with their name as written.
 */
@Injectable()
export class AccountNamesMigration extends BootDataJob {
  protected readonly logger = new Logger('auth');
  protected readonly task = 'migrate usernames';

  constructor(
    private readonly users: UserRepository,
    private readonly names: AccountNameRepository,
    private readonly marks: MigrationMarks,
  ) {
    super();
  }

  /** Returns how many names it claimed (0 when there was nothing to migrate). */
  async run(): Promise<number> {
    const legacyIndex = await this.users.legacyIndexPresent();
    if (!legacyIndex && (await this.marks.isDone(FOLDED_NAMES_MIGRATION))) return 0;
    let claimed = 0;
    for await (const user of this.users.eachName()) {
      const site = ownerTenantId(user);
      if (await this.users.claimName(site, user.username, user._id)) {
        claimed++;
        continue;
      }
      const holder = await this.names.find(site, user.username);
      if (holder?.username === user.username) {
        this.logger.warn(`the name "${user.username}" on site ${site} is claimed by another account`);
        continue;
      }
      await this.names.claimExact(site, user.username, user._id);
      this.logger.warn(
        `the names "${user.username}" and "${holder?.username}" on site ${site} differ only in case: both keep signing in with their name as written`,
      );
    }
    if (legacyIndex) await this.users.dropLegacyIndex();
    await this.marks.markDone(FOLDED_NAMES_MIGRATION);
    this.logger.log(`usernames: ${claimed} name(s) claimed per site without regard to case`);
    return claimed;
  }
}
