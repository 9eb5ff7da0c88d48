import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type INestApplication } from '@nestjs/common';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { AppModule } from '../../src/app/app.module.js';
import { applicationOptions, configureApp, httpAdapter } from '../../src/app/create-app.js';
import { TELEGRAM_GATEWAY, type TelegramGateway } from '../../src/core/storage/telegram/telegram-gateway.js';
import { type AppConfig, type LogLevel } from '../../src/core/config/app-config.js';
import { describeRoles } from '../../src/app/roles.js';
import { loadConfig } from '../../src/core/config/load-config.js';
import { createLogger } from '../../src/core/logging/create-logger.js';
import { TEST_SECRET_KEY } from './app-process.js';
import { TestClient } from './http.js';
import { TEST_REDIS_URL, uniqueRedisPrefix } from './redis.js';
import { UserService } from '../../src/auth/user.service.js';
import { type UserRole } from '../../src/core/identity/identity.js';

/** The first-start admin password every in-process app gets. */
export const TEST_ADMIN_PASSWORD = 'admin-password-for-tests';

export interface InProcessApp {
  app: INestApplication;
  config: AppConfig;
  url: string;
  /** fetch against the app; `path` starts with `/`. */
  request: (path: string, init?: RequestInit) => Promise<Response>;
  close: () => Promise<void>;
}

/**
 * The real application graph in this process (so tests can reach services with `app.get`), listening
 * on a free port, against the given database and the test Redis under a fresh key prefix. `telegram`
 * replaces the gramjs gateway (with the simulator).
 */
export async function startInProcessApp(
  env: Record<string, string>,
  options: { telegram?: TelegramGateway; logLevel?: LogLevel } = {},
): Promise<InProcessApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sv-inproc-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    SECRET_KEY: TEST_SECRET_KEY,
    DATA_DIR: dataDir,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: uniqueRedisPrefix(),
    ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    HOST: '127.0.0.1',
    // Catalogues on a closed loopback port unless a test starts the stub: nothing leaves the machine.
    TMDB_BASE_URL: 'http://127.0.0.1:9/3',
    JIKAN_BASE_URL: 'http://127.0.0.1:9/v4',
    ...env,
  });
  // `logLevel` makes the app log (e.g. for the live log view) without printing it; TEST_LOG_LEVEL prints.
  const logger = process.env.TEST_LOG_LEVEL
    ? createLogger({ level: process.env.TEST_LOG_LEVEL as LogLevel, role: 'test' })
    : createLogger({
        level: options.logLevel ?? 'silent',
        role: describeRoles(config.roles),
        destination: new Writable({ write: (_chunk, _encoding, done) => done() }),
      });
  let builder = Test.createTestingModule({ imports: [AppModule.forConfig(config, logger)] });
  if (options.telegram) builder = builder.overrideProvider(TELEGRAM_GATEWAY).useValue(options.telegram);
  const moduleRef = await builder.compile();
  const app = await configureApp(
    moduleRef.createNestApplication<NestExpressApplication>(httpAdapter(), applicationOptions(logger)),
    config,
    logger,
  );
  // A free port unless the test chose one (to make PUBLIC_URL point at this app).
  await app.listen(env.PORT ? config.http.port : 0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  return {
    app,
    config,
    url,
    request: (path, init) => fetch(`${url}${path}`, init),
    close: async () => {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Creates the first-start admin (as a manager does at boot) and returns a client signed in as it. */
export async function signInAdmin(server: InProcessApp): Promise<TestClient> {
  await server.app.get(UserService).bootstrapAdmin();
  const admin = new TestClient(server.url);
  await admin.login('admin', TEST_ADMIN_PASSWORD);
  return admin;
}

/** Creates a user with `role` (password `<username>-password`) and returns a client signed in as them. */
export async function signInNewUser(
  server: InProcessApp,
  username: string,
  role: UserRole,
): Promise<TestClient> {
  const password = `${username}-password`;
  await server.app.get(UserService).create({ username, password, role });
  const client = new TestClient(server.url);
  await client.login(username, password);
  return client;
}
