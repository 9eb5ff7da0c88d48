import { hostname } from 'node:os';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { RedisClient } from '../redis/redis-client.js';
import { appVersion } from './app-version.js';
import { INSTANCE_ID } from './instance-id.js';
import {
  HEARTBEAT_KEY_PREFIX,
  HEARTBEAT_TTL_INTERVALS,
  type InstanceHeartbeat,
} from './instance-heartbeat.js';
import { systemSnapshot } from './system-snapshot.js';

/** Writes this process's heartbeat to Redis every HEARTBEAT_INTERVAL_SECONDS; removes it on shutdown. */
@Injectable()
export class HeartbeatPublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('heartbeat');
  private readonly instanceId = INSTANCE_ID;
  private readonly startedAt = new Date().toISOString();
  private readonly version = appVersion();
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly redis: RedisClient,
  ) {}

  onApplicationBootstrap(): void {
    void this.beat();
    this.timer = setInterval(() => void this.beat(), this.config.heartbeatIntervalSeconds * 1000);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.redis.client.del(this.key()).catch(() => undefined);
  }

  async beat(): Promise<void> {
    const heartbeat: InstanceHeartbeat = {
      instanceId: this.instanceId,
      roles: [...this.config.roles],
      host: hostname(),
      pid: process.pid,
      version: this.version,
      startedAt: this.startedAt,
      at: new Date().toISOString(),
      ...(await systemSnapshot(this.config.dataDir)),
    };
    const ttlSeconds = this.config.heartbeatIntervalSeconds * HEARTBEAT_TTL_INTERVALS;
    try {
      await this.redis.client.set(this.key(), JSON.stringify(heartbeat), 'EX', ttlSeconds);
    } catch (error) {
      // Redis being down is reported by /healthz; a missed beat only makes us look absent for a while.
      this.logger.debug(`heartbeat not written: ${(error as Error).message}`);
    }
  }

  private key(): string {
    return `${HEARTBEAT_KEY_PREFIX}${this.instanceId}`;
  }
}
