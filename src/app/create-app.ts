import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { type Logger } from 'pino';
import { type AppConfig } from '../core/config/app-config.js';
import { httpLoggingMiddleware } from '../core/logging/http-logging.middleware.js';
import { NestPinoLogger } from '../core/logging/nest-logger.js';
import { httpMetricsMiddleware } from '../core/metrics/http-metrics.middleware.js';
import { MetricsRegistry } from '../core/metrics/metrics-registry.js';
import { AppModule } from './app.module.js';

/** Builds (but does not start listening) the app for `config`; shared by main.ts and the e2e tests. */
export async function createApp(config: AppConfig, logger: Logger): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forConfig(config, logger), {
    logger: new NestPinoLogger(logger),
    abortOnError: false,
    bodyParser: false,
  });
  app.disable('x-powered-by');
  app.use(httpLoggingMiddleware(logger));
  app.use(httpMetricsMiddleware(app.get(MetricsRegistry)));
  app.useBodyParser('json', { limit: '1mb' });
  app.useBodyParser('urlencoded', { limit: '1mb', extended: false });
  return app;
}
