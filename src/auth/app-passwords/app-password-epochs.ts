import { Injectable } from '@nestjs/common';
import { RedisClient } from '../../core/redis/redis-client.js';

/**
 * A per-account counter in Redis that moves whenever the account's app passwords change (created,
 * revoked, used-at written, deleted with the account). Processes that remember a verified app
 * password check it on every use, so a revoke ends every remembered use at once, on every process.
 */
@Injectable()
export class AppPasswordEpochs {
  constructor(private readonly redis: RedisClient) {}

  /** The account's counter now ("0" before any change); undefined when Redis cannot say. */
  async current(userId: string): Promise<string | undefined> {
    try {
      return (await this.redis.client.get(keyOf(userId))) ?? '0';
    } catch {
      return undefined;
    }
  }

  async bump(userIds: readonly string[]): Promise<void> {
    if (userIds.length === 0) return;
    const pipeline = this.redis.client.pipeline();
    for (const userId of userIds) pipeline.incr(keyOf(userId));
    await pipeline.exec();
  }
}

const keyOf = (userId: string) => `app-passwords:epoch:${userId}`;
