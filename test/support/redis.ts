import { randomUUID } from 'node:crypto';

/** The Redis the test runner prepared (pre-started, or a private one started by scripts/test.mjs). */
export const TEST_REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

/** A key prefix no other test (or run) uses, so tests share one Redis without seeing each other. */
export function uniqueRedisPrefix(): string {
  return `svtest-${randomUUID().slice(0, 8)}`;
}
