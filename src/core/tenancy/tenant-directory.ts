import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { RedisChannel, TEXT_CODEC } from '../redis/redis-channel.js';
import { RedisClient } from '../redis/redis-client.js';
import { ExpiringMap } from '../util/expiring-map.js';
import { DEFAULT_TENANT, DEFAULT_TENANT_ID, type Tenant } from './tenant.js';
import { TenantRepository } from './tenant.repository.js';

/** How long a process trusts a cached answer if an invalidation message were lost. */
export const TENANT_CACHE_MS = 30_000;
/** How often the Redis version key is compared (catches messages missed while unsubscribed). */
const VERSION_CHECK_MS = 5_000;
/** Hostile Host headers must not grow the cache without bound. */
const MAX_ENTRIES = 10_000;

/** A cached answer: the tenant, or undefined for "no tenant" (worth keeping too). */
interface Entry {
  tenant: Tenant | undefined;
}

/**
 * Who a host or id belongs to, read through an in-memory cache. Every change bumps a Redis version key
 * and is published; each process drops its cache when it hears the message, or when its periodic look
 * at the version key finds it moved (a message missed while the subscription was down).
 */
@Injectable()
export class TenantDirectory implements OnModuleDestroy {
  private readonly byHost = new ExpiringMap<string, Entry>(MAX_ENTRIES, TENANT_CACHE_MS);
  private readonly idCache = new ExpiringMap<string, Entry>(MAX_ENTRIES, TENANT_CACHE_MS);
  private readonly changes: RedisChannel<string>;
  private listening = false;
  private versionTimer?: NodeJS.Timeout;
  private version?: string;

  constructor(
    private readonly repository: TenantRepository,
    private readonly redis: RedisClient,
  ) {
    this.changes = new RedisChannel(redis, ['tenancy', 'changed'], TEXT_CODEC, {
      logger: new Logger('tenancy'),
    });
  }

  /** The tenant listing `host` (normalized), or undefined when none does. */
  async forHost(host: string | undefined): Promise<Tenant | undefined> {
    if (!host) return undefined;
    this.listen();
    const cached = this.byHost.get(host);
    if (cached) return cached.tenant;
    const tenantId = await this.repository.ownerOf(host);
    const tenant = tenantId ? await this.byIdUncached(tenantId) : undefined;
    this.byHost.set(host, { tenant });
    return tenant;
  }

  /**
   * What `forHost` would answer, when the cache knows it (nothing is read): the tenant, `null` for a
   * host no tenant lists, undefined when only `forHost` can tell.
   */
  cachedForHost(host: string | undefined): Tenant | null | undefined {
    if (!host) return null;
    const cached = this.byHost.get(host);
    return cached ? (cached.tenant ?? null) : undefined;
  }

  /** A tenant by id; the default tenant for `default`. */
  async byId(id: string): Promise<Tenant | undefined> {
    if (id === DEFAULT_TENANT_ID) return DEFAULT_TENANT;
    this.listen();
    const cached = this.idCache.get(id);
    if (cached) return cached.tenant;
    return this.byIdUncached(id);
  }

  private async byIdUncached(id: string): Promise<Tenant | undefined> {
    const tenant = await this.repository.findById(id);
    this.idCache.set(id, { tenant });
    return tenant;
  }

  /** Tells every process (this one at once) that tenants changed. */
  async changed(): Promise<void> {
    this.forget();
    await this.redis.client.incr('tenancy:version');
    await this.changes.publish('changed');
  }

  forget(): void {
    this.byHost.clear();
    this.idCache.clear();
  }

  /** Subscribes on first use, so roles that never resolve a host (workers) hold no extra connection. */
  private listen(): void {
    if (this.listening) return;
    this.listening = true;
    // A change published while the subscription was down is missed: forget on the gap too (the
    // version check would catch it within VERSION_CHECK_MS).
    // What was cached before the subscription took hold (the very answer that started it, say) may
    // have changed unheard meanwhile: forget it once subscribed.
    this.changes
      .subscribe(
        () => this.forget(),
        () => this.forget(),
      )
      .then(() => {
        if (this.changes.live) this.forget();
      })
      .catch(() => undefined);
    void this.checkVersion();
    this.versionTimer = setInterval(() => void this.checkVersion(), VERSION_CHECK_MS);
    this.versionTimer.unref();
  }

  private async checkVersion(): Promise<void> {
    try {
      const version = (await this.redis.client.get('tenancy:version')) ?? '0';
      if (this.version !== undefined && version !== this.version) this.forget();
      this.version = version;
    } catch {
      // Redis is down: entries still expire after TENANT_CACHE_MS.
    }
  }

  onModuleDestroy(): void {
    clearInterval(this.versionTimer);
    this.changes.close();
  }
}
