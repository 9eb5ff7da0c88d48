import { type INestApplication, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import express from 'express';
import cookieParser from 'cookie-parser';
import { type Logger } from 'pino';
import { type AppConfig } from '../core/config/app-config.js';
import { FastPaths } from '../core/http/fast-paths.js';
import { forwardedForTrust, untrustedProxyWarning } from '../core/http/forwarded-for-trust.js';
import { securityHeaders } from '../core/http/security-headers.js';
import { httpLoggingMiddleware } from '../core/logging/http-logging.middleware.js';
import { NestPinoLogger } from '../core/logging/nest-logger.js';
import { httpMetricsMiddleware } from '../core/metrics/http-metrics.middleware.js';
import { MetricsRegistry } from '../core/metrics/metrics-registry.js';
import { TenantResolver } from '../core/tenancy/tenant-resolver.js';
import { tenantMiddleware } from '../core/tenancy/tenant.middleware.js';
import { ViewRenderer } from '../core/views/view-renderer.js';
import { findAssetsDir } from '../core/views/views-dir.js';
import { AppModule } from './app.module.js';
import { Role } from './roles.js';

/** Request bodies above this are refused with 413 before any handler runs. */
export const BODY_LIMIT = '1mb';

/** Keys no request body has, which some code reads as an object's prototype. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * A JSON body with such a key is a 400 like any unknown field: class-transformer drops these keys
 * before validation sees them, so without this they were accepted silently.
 */
function refusePrototypeKeys(key: string, value: unknown): unknown {
  if (PROTOTYPE_KEYS.has(key)) throw new Error(`"${key}" is not a field of any request body`);
  return value;
}

/** Options both main.ts and the tests' module builder create the application with. */
export function applicationOptions(logger: Logger) {
  return { logger: new NestPinoLogger(logger), abortOnError: false, bodyParser: false } as const;
}

/**
 * Express, routing paths as written: middleware that judges a request by its path (a tenant's
 * switched-off features, which answers are pages) would otherwise let `/Music` by while the router
 * still took it for `/music`. Set before Nest's adapter adds its first middleware (the router is made
 * then, with the setting of that moment).
 */
export function httpAdapter(): ExpressAdapter {
  const instance = express();
  instance.set('case sensitive routing', true);
  return new ExpressAdapter(instance);
}

/** Builds (but does not start listening) the app for `config`. */
export async function createApp(config: AppConfig, logger: Logger): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forConfig(config, logger),
    httpAdapter(),
    applicationOptions(logger),
  );
  return configureApp(app, config, logger);
}

/**
 * HTTP plumbing every instance gets: logging, metrics, security headers, static assets, cookies, body
 * limits, validation, OpenAPI (managers: `@nestjs/swagger` is loaded for them only).
 */
export async function configureApp(
  app: NestExpressApplication,
  config: AppConfig,
  logger: Logger,
): Promise<INestApplication> {
  // Signed media, page turns and Subsonic's raw bytes are answered ahead of everything below (the
  // modules' fast paths); what they leave goes on to Express.
  app.get(FastPaths).mount(app.getHttpServer());
  app.disable('x-powered-by');
  const trustsForwarding = forwardedForTrust(config.tenancy.trustedProxies);
  app.set('trust proxy', trustsForwarding);
  app.use(untrustedProxyWarning(trustsForwarding, logger));
  app.use(httpLoggingMiddleware(logger));
  app.use(httpMetricsMiddleware(app.get(MetricsRegistry)));
  app.use(securityHeaders(config));
  app.useStaticAssets(findAssetsDir(), { prefix: '/assets/', index: false, maxAge: '1h' });
  app.use(cookieParser());
  app.useBodyParser('json', { limit: BODY_LIMIT, reviver: refusePrototypeKeys });
  app.useBodyParser('urlencoded', { limit: BODY_LIMIT, extended: false });
  if (config.roles.includes(Role.Manager)) {
    // Stremio reads every add-on answer cross-origin, a site's refusal (suspended: 503; unknown host:
    // 421) included, so the headers go on before the tenant middleware. On the plain prefix, not a
    // route pattern: one decodes the path first, and a malformed escape (`search=%.json`) was
    // answered 400 before the headers were set.
    const { stremioCors } = await import('../site/stremio/stremio-cors.middleware.js');
    app.use('/stremio', stremioCors);
  }
  // After the body parsers, whose stream callbacks would not carry the request's async context.
  app.use(tenantMiddleware(app.get(TenantResolver), app.get(ViewRenderer)));
  // Unknown fields are an error, not silently dropped: a typo in a PATCH must not look like success.
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  if (config.roles.includes(Role.Manager)) {
    // Watch-party sockets (/party/ws) live on managers; streamers never load ws.
    const { UpgradeRefusingWsAdapter } = await import('../core/http/upgrade-refusing-ws-adapter.js');
    app.useWebSocketAdapter(new UpgradeRefusingWsAdapter(app));
    const { DocumentBuilder, SwaggerModule } = await import('@nestjs/swagger');
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('StreamVault API')
        .setVersion('1')
        .addCookieAuth('sv_session')
        .addBearerAuth()
        .build(),
    );
    SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs/openapi.json' });
  }
  return app;
}
