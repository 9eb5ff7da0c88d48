import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { type Logger } from 'pino';
import { type AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { DataDirModule } from './data-dir/data-dir.module.js';
import { DatabaseModule } from './database/database.module.js';
import { AllExceptionsFilter } from './errors/all-exceptions.filter.js';
import { HealthModule } from './health/health.module.js';
import { FastPathsModule } from './http/fast-paths.module.js';
import { HeartbeatModule } from './heartbeat/heartbeat.module.js';
import { LogBroadcastModule } from './logging/log-broadcast.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { RateLimitModule } from './rate-limit/rate-limit.module.js';
import { RedisModule } from './redis/redis.module.js';
import { SettingsModule } from './settings/settings.module.js';
import { StorageModule } from './storage/storage.module.js';
import { TenancyModule } from './tenancy/tenancy.module.js';
import { ViewsModule } from './views/views.module.js';

/** What every role runs: config, logging, Mongo, Redis, health, metrics and JSON errors. */
@Module({})
export class CoreModule {
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: CoreModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(logger),
        DataDirModule,
        DatabaseModule,
        RedisModule,
        SettingsModule,
        TenancyModule,
        StorageModule,
        ViewsModule,
        MetricsModule,
        FastPathsModule,
        RateLimitModule,
        HealthModule,
        HeartbeatModule,
        LogBroadcastModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
    };
  }
}
