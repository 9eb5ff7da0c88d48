/**
 * A worker process for crash tests: the real app (ROLE from the environment) whose store pauses for
 * UPLOAD_PAUSE_MS after the bytes of each put are written and before it returns. That widens the
 * worst window of an upload — stored, but not yet recorded on the task — so a test can SIGKILL the
 * process inside it. Everything else (store, pipeline, queue, database) is the real thing.
 */
import 'reflect-metadata';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { AppModule } from '../../src/app/app.module.js';
import { applicationOptions, configureApp, httpAdapter } from '../../src/app/create-app.js';
import { APP_CONFIG, type AppConfig } from '../../src/core/config/app-config.js';
import { loadConfig } from '../../src/core/config/load-config.js';
import { createLogger } from '../../src/core/logging/create-logger.js';
import { LocalMediaStore } from '../../src/core/storage/local-media-store.js';
import { MEDIA_STORE, type MediaStore, type PutOptions } from '../../src/core/storage/media-store.js';

class PausingStore implements MediaStore {
  readonly kind = 'local' as const;
  constructor(
    private readonly inner: LocalMediaStore,
    private readonly pauseMs: number,
  ) {}
  async put(path: string, name: string, options?: PutOptions) {
    const parts = await this.inner.put(path, name, { ...options, onPart: undefined });
    process.stdout.write(`STORED ${name}\n`);
    await new Promise((resolve) => setTimeout(resolve, this.pauseMs));
    for (const [index, part] of parts.entries()) await options?.onPart?.(part, index);
    return parts;
  }
  read: MediaStore['read'] = (...args) => this.inner.read(...args);
  exists: MediaStore['exists'] = (part) => this.inner.exists(part);
  delete: MediaStore['delete'] = (ref) => this.inner.delete(ref);
}

const config = loadConfig();
const logger = createLogger({ level: config.logLevel, role: 'slow-upload-worker' });
const moduleRef = await Test.createTestingModule({ imports: [AppModule.forConfig(config, logger)] })
  .overrideProvider(MEDIA_STORE)
  .useFactory({
    inject: [APP_CONFIG],
    factory: (appConfig: AppConfig) =>
      new PausingStore(new LocalMediaStore(appConfig), Number(process.env.UPLOAD_PAUSE_MS ?? 3000)),
  })
  .compile();
const app = await configureApp(
  moduleRef.createNestApplication<NestExpressApplication>(httpAdapter(), applicationOptions(logger)),
  config,
  logger,
);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
await app.listen(config.http.port, config.http.host);
