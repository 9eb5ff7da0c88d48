import { Injectable } from '@nestjs/common';
import { type Identity } from '../../core/identity/identity.js';
import { RedisClient } from '../../core/redis/redis-client.js';
import { SettingsService } from '../../core/settings/settings.service.js';

export interface QuotaRequester {
  id: string;
  role?: string;
}

/** Bytes each non-admin user may download per UTC day (INGEST_MAX_BYTES_PER_DAY, or the Settings page), counted in Redis. */
@Injectable()
export class DailyQuota {
  constructor(
    private readonly settings: SettingsService,
    private readonly redis: RedisClient,
  ) {}

  /** Bytes left today; `undefined` when the requester has no quota (admins, or no quota configured). */
  async remaining(requester: QuotaRequester | Identity, now = new Date()): Promise<number | undefined> {
    const limit = (await this.settings.get()).maxBytesPerDay;
    if (limit === 0 || requester.role === 'admin') return undefined;
    const used = Number((await this.redis.client.get(this.key(requester.id, now))) ?? 0);
    return Math.max(0, limit - used);
  }

  async add(requesterId: string, bytes: number, now = new Date()): Promise<void> {
    if ((await this.settings.get()).maxBytesPerDay === 0) return;
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
