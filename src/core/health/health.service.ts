import { Inject, Injectable } from '@nestjs/common';
import { describeRoles, modulesForRoles } from '../../app/roles.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { MongoConnection } from '../database/mongo-connection.js';
import { RedisClient } from '../redis/redis-client.js';
import { withTimeout } from '../util/with-timeout.js';

export type CheckState = 'up' | 'down';

export interface HealthReport {
  status: 'ok' | 'degraded';
  role: string;
  modules: string[];
  checks: { mongo: CheckState; redis: CheckState };
  errors?: Partial<Record<'mongo' | 'redis', string>>;
}

/** Probe budget per dependency: short enough that /healthz answers well inside a load balancer's timeout. */
const CHECK_TIMEOUT_MS = 1500;

@Injectable()
export class HealthService {
  private readonly modules: string[];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly mongo: MongoConnection,
    private readonly redis: RedisClient,
  ) {
    this.modules = ['core', ...modulesForRoles(config.roles)];
  }

  async check(): Promise<HealthReport> {
    const [mongo, redis] = await Promise.allSettled([
      withTimeout(this.mongo.ping(), CHECK_TIMEOUT_MS, 'ping'),
      withTimeout(this.redis.ping(), CHECK_TIMEOUT_MS, 'ping'),
    ]);
    const report: HealthReport = {
      status: mongo.status === 'fulfilled' && redis.status === 'fulfilled' ? 'ok' : 'degraded',
      role: describeRoles(this.config.roles),
      modules: this.modules,
      checks: { mongo: stateOf(mongo), redis: stateOf(redis) },
    };
    const errors: HealthReport['errors'] = {};
    if (mongo.status === 'rejected') errors.mongo = reasonOf(mongo);
    if (redis.status === 'rejected') errors.redis = reasonOf(redis);
    if (report.status === 'degraded') report.errors = errors;
    return report;
  }
}

function stateOf(result: PromiseSettledResult<unknown>): CheckState {
  return result.status === 'fulfilled' ? 'up' : 'down';
}

function reasonOf(result: PromiseSettledResult<unknown>): string | undefined {
  if (result.status === 'fulfilled') return undefined;
  return result.reason instanceof Error ? result.reason.message : String(result.reason);
}
