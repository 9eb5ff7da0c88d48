import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../core/config/app-config.js';
import { type Identity } from '../../core/identity/identity.js';
import { RedisClient } from '../../core/redis/redis-client.js';

export interface QuotaRequester {
  id: string;
  role?: string;
}

/** Bytes each non-admin user may download per UTC day (INGEST_MAX_BYTES_PER_DAY), counted in Redis. */
@Injectable()
export class DailyQuota {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly redis: RedisClient,
  ) {}

  /** Bytes left today; `undefined` when the requester has no quota (admins, or no quota configured). */
  async remaining(requester: QuotaRequester | Identity, now = new Date()): Promise<number | undefined> {
    const limit = this.config.ingest.maxBytesPerDay;
    if (limit === 0 || requester.role === 'admin') return undefined;
    const used = Number((await this.redis.client.get(this.key(requester.id, now))) ?? 0);
    return Math.max(0, limit - used);
  }

  async add(requesterId: string, bytes: number, now = new Date()): Promise<void> {
    if (this.config.ingest.maxBytesPerDay === 0) return;
    const key = this.key(requesterId, now);
    await this.redis.client
      .multi()
      .incrby(key, bytes)
      .expire(key, 2 * 24 * 3600)
      .exec();
  }

  private key(requesterId: string, now: Date): string {
    return `ingest:quota:${requesterId}:${now.toISOString().slice(0, 10)}`;
  }
}
