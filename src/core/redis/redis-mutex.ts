import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppError } from '../errors/app-error.js';
import { RedisClient } from './redis-client.js';

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const EXTEND = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

export interface MutexOptions {
  /** The lock expires on its own after this long, so a crashed holder cannot block forever. */
  ttlMs?: number;
  /** How long to wait for the lock before answering 503. */
  waitMs?: number;
  /**
   * Keep the lock while `work` runs, however long (its TTL renewed every third of `ttlMs`): for work
   * of unknown length, such as storing a file. A crashed holder still frees it within `ttlMs`.
   */
  renew?: boolean;
  /** Longest pause between attempts while waiting (default 100 ms; longer for long waits). */
  maxPollMs?: number;
}

/**
 * A short Redis lock (SET NX PX + compare-and-delete) shared by every process of an install. Used where
 * the database cannot make a read-modify-write atomic: FerretDB 1.24 applies a filtered update as a
 * separate read and write, so an optimistic `{revision}` check alone can lose concurrent updates there.
 */
@Injectable()
export class RedisMutex {
  constructor(private readonly redis: RedisClient) {}

  /**
   * Runs `work` only if nobody holds the lock now (no waiting): for periodic jobs every manager runs
   * and one a round is enough. Undefined when another process had it. `renew` keeps the lock for
   * work of unknown length, as in `withLock`.
   */
  async ifFree<T>(
    name: string,
    work: () => Promise<T>,
    ttlMs: number,
    { renew = false }: Pick<MutexOptions, 'renew'> = {},
  ): Promise<T | undefined> {
    const key = `lock:${name}`;
    const token = randomUUID();
    if ((await this.redis.client.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') return undefined;
    const renewal = renew ? this.renewing(key, token, ttlMs) : undefined;
    try {
      return await work();
    } finally {
      clearInterval(renewal);
      await this.redis.client.eval(RELEASE, 1, key, token);
    }
  }

  async withLock<T>(name: string, work: () => Promise<T>, options: MutexOptions = {}): Promise<T> {
    const { ttlMs = 15000, waitMs = 10000, renew = false, maxPollMs = 100 } = options;
    const key = `lock:${name}`;
    const token = randomUUID();
    const deadline = Date.now() + waitMs;
    for (let delay = 5; ; delay = Math.min(delay * 2, maxPollMs)) {
      if ((await this.redis.client.set(key, token, 'PX', ttlMs, 'NX')) === 'OK') break;
      if (Date.now() > deadline) {
        throw new AppError(503, 'service_unavailable', `"${name}" is busy; retry shortly.`);
      }
      await new Promise((resolve) => setTimeout(resolve, delay + Math.random() * delay));
    }
    const renewal = renew ? this.renewing(key, token, ttlMs) : undefined;
    try {
      return await work();
    } finally {
      clearInterval(renewal);
      await this.redis.client.eval(RELEASE, 1, key, token);
    }
  }

  private renewing(key: string, token: string, ttlMs: number): NodeJS.Timeout {
    return setInterval(() => {
      this.redis.client.eval(EXTEND, 1, key, token, ttlMs).catch(() => undefined);
    }, ttlMs / 3);
  }
}
