import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { LocalMediaStore } from './local-media-store.js';
import { MEDIA_STORE } from './media-store.js';

/** Provides `MEDIA_STORE`: the store STORAGE selects, for every role (ingest puts, stream reads). */
@Global()
@Module({
  providers: [
    LocalMediaStore,
    {
      provide: MEDIA_STORE,
      inject: [APP_CONFIG, LocalMediaStore],
      useFactory: (config: AppConfig, local: LocalMediaStore) => {
        if (config.storage === 'local') return local;
        throw new Error(
          'STORAGE=telegram: the Telegram store is not available in this build yet; use STORAGE=local',
        );
      },
    },
  ],
  exports: [MEDIA_STORE],
})
export class StorageModule {}
