import 'reflect-metadata';
import { type INestApplicationContext, Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type Logger } from 'pino';
import { type AppConfig } from '../core/config/app-config.js';
import { ConfigError } from '../core/config/config-error.js';
import { loadConfig } from '../core/config/load-config.js';
import { CoreModule } from '../core/core.module.js';
import { createLogger } from '../core/logging/create-logger.js';
import { NestPinoLogger } from '../core/logging/nest-logger.js';
import { LibraryModule } from '../library/library.module.js';

/** Core plus the library's services, no HTTP, no queues: what an operator's command needs. */
@Module({})
class LibraryCommandModule {
  static forConfig(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: LibraryCommandModule,
      imports: [CoreModule.forRoot(config, logger), LibraryModule.forRoles([])],
    };
  }
}

/**
 * Runs an operator command (`npm run reindex`, `npm run seed`) against the configuration the app
 * reads (MONGODB_URI, REDIS_URL, REDIS_PREFIX, DATA_DIR, ...), then exits: 0 done, 1 failed.
 */
export async function runLibraryCommand(
  name: string,
  work: (app: INestApplicationContext, logger: Logger) => Promise<void>,
): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${name}: invalid configuration: ${error.message}\n`);
    process.exit(1);
  }
  const logger = createLogger({ level: config.logLevel === 'debug' ? 'debug' : 'warn', role: name });
  let app: INestApplicationContext | undefined;
  try {
    app = await NestFactory.createApplicationContext(LibraryCommandModule.forConfig(config, logger), {
      logger: new NestPinoLogger(logger),
      abortOnError: false,
    });
    await work(app, logger);
    await app.close();
    process.exit(0);
  } catch (error) {
    process.stderr.write(`${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    await app?.close().catch(() => undefined);
    process.exit(1);
  }
}
