import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/core/config/load-config.js';
import { RedisClient } from '../../src/core/redis/redis-client.js';

/** The Redis the test runner prepared (pre-started, or a private one started by scripts/test.mjs). */
export const TEST_REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

/** A key prefix no other test (or run) uses, so tests share one Redis without seeing each other. */
export function uniqueRedisPrefix(): string {
  return `svtest-${randomUUID().slice(0, 8)}`;
}

/** The app's Redis client on `url` with `prefix`, configured as the app would be. */
export function testRedisClient(url: string, prefix: string): RedisClient {
  return new RedisClient(
    loadConfig({ NODE_ENV: 'test', SECRET_KEY: 'k'.repeat(32), REDIS_URL: url, REDIS_PREFIX: prefix }),
  );
}
