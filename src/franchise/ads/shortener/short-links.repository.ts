import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { RedisClient } from '../../../core/redis/redis-client.js';

/** Short links a shortener made, per owner and target, so each target is shortened once a while. */
@Injectable()
export class ShortLinksRepository {
  constructor(private readonly redis: RedisClient) {}

  private key(owner: string, target: string): string {
    return `ads:{${owner}}:short:${createHash('sha256').update(target).digest('base64url')}`;
  }

  get(owner: string, target: string): Promise<string | null> {
    return this.redis.client.get(this.key(owner, target));
  }

  async remember(owner: string, target: string, short: string, seconds: number): Promise<void> {
    await this.redis.client.set(this.key(owner, target), short, 'EX', Math.max(1, Math.floor(seconds)));
  }
}
