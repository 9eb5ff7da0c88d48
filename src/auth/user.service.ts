import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Types } from 'mongoose';
import { APP_CONFIG, type AppConfig } from '../core/config/app-config.js';
import { isDuplicateKeyError } from '../core/database/mongo-connection.js';
import { AppError } from '../core/errors/app-error.js';
import { type UserRole } from '../core/identity/identity.js';
import { PasswordHasher } from './password-hasher.js';
import { type User } from './schemas/user.schema.js';
import { type ClientInfo, SessionService } from './session.service.js';
import { inCurrentTenant, tenantIdForNewRecord } from './tenant-membership.js';
import { AccountCredentials } from './account-credentials.js';
import { TenantContext } from '../core/tenancy/tenant-context.js';
import { DEFAULT_TENANT_ID, ownerTenantId, type Tenant } from '../core/tenancy/tenant.js';
import { TenantRepository } from '../core/tenancy/tenant.repository.js';
import { UserRepository } from './user.repository.js';

export interface UserView {
  id: string;
  username: string;
  role: UserRole;
  telegramId?: number;
  disabled: boolean;
  createdAt: Date;
}

/** An account as the operator's list shows it: with its site (`default`, or the tenant's slug). */
export interface SiteUserView extends UserView {
  tenantId: string;
  site: string;
}

/** The operator's users page: every account, the ones shown (one site's, or all) and the sites. */
export interface UserDirectory {
  everyone: SiteUserView[];
  shown: SiteUserView[];
  sites: string[];
}

export interface NewUserInput {
  username: string;
  password?: string;
  role: UserRole;
  telegramId?: number;
}

@Injectable()
export class UserService {
  private readonly logger = new Logger('auth');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionService,
    private readonly credentials: AccountCredentials,
    private readonly tenants: TenantRepository,
  ) {}

  /** An account of the current site; 409 when this site already has the name (other sites do not count). */
  async create(input: NewUserInput): Promise<UserView> {
    const taken = () =>
      new AppError(
        409,
        'conflict',
        `The username "${input.username}" is taken (names differing only in case are one name).`,
      );
    // One account per Telegram user: the bot signs a Telegram user in as the account holding its id.
    if (input.telegramId !== undefined) {
      const holder = await this.users.findByTelegramId(input.telegramId);
      if (holder) {
        throw new AppError(
          409,
          'conflict',
          `Telegram user ${input.telegramId} already has the account "${holder.username}".`,
        );
      }
    }
    try {
      const user = await this.users.insert({
        username: input.username,
        role: input.role,
        telegramId: input.telegramId,
        tenantId: tenantIdForNewRecord(),
        passwordHash: input.password ? await this.hasher.hash(input.password) : undefined,
      });
      if (!user) throw taken();
      return toView(user);
    } catch (error) {
      // Only while an upgraded install still has the old install-wide index (see AccountNamesMigration).
      if (isDuplicateKeyError(error)) throw taken();
      throw error;
    }
  }

  /**
   * The account of a Telegram user, created on first use as `tg-<id>` with `role` when the bot has
   * already decided the user may use it (the bot belongs to the default site). The name claim makes
   * concurrent first uses create one.
   */
  async findOrCreateForTelegram(telegramId: number, role: UserRole): Promise<UserView> {
    const existing = await this.users.findByTelegramId(telegramId);
    if (existing) return toView(existing);
    const username = `tg-${telegramId}`;
    let created: User | undefined;
    try {
      created = await this.users.insert({ username, role, telegramId });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    if (created) {
      this.logger.log(`created account "${username}" (${role}) for Telegram user ${telegramId}`);
      return toView(created);
    }
    const raced = await this.users.findByUsername(DEFAULT_TENANT_ID, username);
    if (raced?.telegramId === telegramId) return toView(raced);
    throw new AppError(409, 'conflict', `The username "${username}" belongs to another account.`);
  }

  /** The account linked to a Telegram user, if any. */
  async findByTelegramId(telegramId: number): Promise<UserView | undefined> {
    const user = await this.users.findByTelegramId(telegramId);
    return user ? toView(user) : undefined;
  }

  /** The site of the account `id` (`default` for the operator's), or undefined when there is no such account. */
  async tenantOf(id: string): Promise<string | undefined> {
    if (!Types.ObjectId.isValid(id)) return undefined;
    const user = await this.users.findById(new Types.ObjectId(id));
    return user ? ownerTenantId(user) : undefined;
  }

  /**
   * Every site's accounts, or those of the site `site` (a tenant's slug, or `default`; 404 for
   * neither), each with its site. The operator's list: a scan of `users`, never a viewer's path.
   */
  async list(site?: string): Promise<SiteUserView[]> {
    const tenants = await this.tenants.list();
    if (site === undefined) return siteViews(await this.users.list(), tenants);
    return siteViews(await this.users.listForTenant(siteTenantId(site, tenants)), tenants);
  }

  /**
   * What the operator's users page shows, in one read of each collection: every account (token
   * owners are named from it), those of `site` when one is asked for (404 for an unknown site), and
   * the sites there are.
   */
  async directory(site?: string): Promise<UserDirectory> {
    const tenants = await this.tenants.list();
    const tenantId = site === undefined ? undefined : siteTenantId(site, tenants);
    const everyone = siteViews(await this.users.list(), tenants);
    return {
      everyone,
      shown: tenantId === undefined ? everyone : everyone.filter((user) => user.tenantId === tenantId),
      sites: [DEFAULT_TENANT_ID, ...tenants.map((tenant) => tenant.slug)],
    };
  }

  /**
   * Removes a purged tenant's accounts with their names, sessions, API tokens, app passwords and
   * login links. Returns how many accounts there were.
   */
  async deleteForTenant(tenantId: string): Promise<number> {
    const ids = (await this.users.listForTenant(tenantId)).map((user) => user._id);
    await this.credentials.deleteForUsers(ids);
    return this.users.deleteForTenant(tenantId);
  }

  async listForTenant(tenantId: string): Promise<UserView[]> {
    return (await this.users.listForTenant(tenantId)).map(toView);
  }

  /** Password login; one message for every failure so it does not reveal which usernames exist. */
  async login(username: string, password: string, client: ClientInfo) {
    const user = await this.users.findByUsername(TenantContext.current().id, username);
    const valid = await this.hasher.verify(password, user?.passwordHash);
    if (!user || !valid || user.disabled || !inCurrentTenant(user))
      throw new AppError(401, 'unauthorized', 'Wrong username or password.');
    const session = await this.sessions.open(user._id, 'password', client);
    return { ...session, user: toView(user) };
  }

  /**
   * First start: with no admin yet, create one from ADMIN_USERNAME / ADMIN_PASSWORD, or with a generated
   * password printed once. Several managers booting together create one (unique username).
   */
  async bootstrapAdmin(): Promise<void> {
    if ((await this.users.countAdmins()) > 0) return;
    const { adminUsername, adminPassword } = this.config.auth;
    const password = adminPassword ?? randomBytes(12).toString('base64url');
    try {
      // Another manager booting at the same time claimed the name first: it creates the admin.
      const created = await this.users.insert({
        username: adminUsername,
        role: 'admin',
        passwordHash: await this.hasher.hash(password),
      });
      if (!created) return;
    } catch (error) {
      if (isDuplicateKeyError(error)) return;
      throw error;
    }
    if (adminPassword) this.logger.log(`created admin account "${adminUsername}" from ADMIN_PASSWORD`);
    else
      this.logger.warn(
        `created admin account "${adminUsername}" with password: ${password}  (shown once; change it)`,
      );
  }
}

export function toView(user: User): UserView {
  return {
    id: String(user._id),
    username: user.username,
    role: user.role,
    telegramId: user.telegramId,
    disabled: user.disabled,
    createdAt: user.createdAt,
  };
}

/** The tenant id of the site named `site` (`default`, or a tenant's slug); 404 for neither. */
function siteTenantId(site: string, tenants: readonly Tenant[]): string {
  const tenantId = site === DEFAULT_TENANT_ID ? site : tenants.find((tenant) => tenant.slug === site)?.id;
  if (!tenantId) throw new AppError(404, 'not_found', `No site "${site}".`);
  return tenantId;
}

/** Accounts with their site: `default`, the tenant's slug, or the bare id of a tenant no longer listed. */
function siteViews(users: readonly User[], tenants: readonly Tenant[]): SiteUserView[] {
  const slugs = new Map(tenants.map((tenant) => [tenant.id, tenant.slug]));
  return users.map((user) => {
    const tenantId = ownerTenantId(user);
    const site = tenantId === DEFAULT_TENANT_ID ? tenantId : (slugs.get(tenantId) ?? tenantId);
    return { ...toView(user), tenantId, site };
  });
}
