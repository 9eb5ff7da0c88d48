import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { LocalMediaStore } from './local-media-store.js';
import { MEDIA_STORE } from './media-store.js';
import { LocationCache } from './telegram/location-cache.js';
import { TELEGRAM_GATEWAY, type TelegramGateway } from './telegram/telegram-gateway.js';
import { TelegramMediaStore } from './telegram/telegram-media-store.js';
import { TelegramMetrics } from './telegram/telegram-metrics.js';
import { TelegramPeerRepository } from './telegram/telegram-peer.repository.js';

/**
 * Provides `MEDIA_STORE`, the store STORAGE selects, to every role (ingest puts, stream reads, library
 * upkeep deletes). The Telegram gateway is its own provider so tests can put the simulator there.
 */
@Global()
@Module({
  providers: [
    LocalMediaStore,
    LocationCache,
    TelegramMetrics,
    TelegramPeerRepository,
    {
      provide: TELEGRAM_GATEWAY,
      inject: [APP_CONFIG, TelegramPeerRepository],
      // gramjs is loaded only when Telegram is the store.
      useFactory: async (config: AppConfig, peers: TelegramPeerRepository) => {
        if (config.storage !== 'telegram') return null;
        const { GramjsTelegramGateway } = await import('./telegram/gramjs-telegram-gateway.js');
        return new GramjsTelegramGateway(config.telegram, peers);
      },
    },
    {
      provide: MEDIA_STORE,
      inject: [APP_CONFIG, LocalMediaStore, TELEGRAM_GATEWAY, LocationCache, TelegramMetrics],
      useFactory: (
        config: AppConfig,
        local: LocalMediaStore,
        gateway: TelegramGateway | null,
        locations: LocationCache,
        metrics: TelegramMetrics,
      ) =>
        config.storage === 'telegram' && gateway
          ? new TelegramMediaStore(config, gateway, locations, metrics)
          : local,
    },
  ],
  // LocalMediaStore too, for what only a local store can do (list its objects); the gateway, for the
  // ingest worker to read files users sent to the bot.
  exports: [MEDIA_STORE, LocalMediaStore, TELEGRAM_GATEWAY],
})
export class StorageModule {}
