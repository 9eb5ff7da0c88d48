import { type Provider } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../core/config/app-config.js';
import { RedisClient } from '../../core/redis/redis-client.js';
import { JikanProvider } from './jikan.provider.js';
import { CachedMetadataProvider } from './metadata-cache.js';
import { METADATA_PROVIDERS } from './metadata-provider.js';
import { TmdbProvider } from './tmdb.provider.js';

/** The catalogues in order of preference (the service filters by title kind), each behind the Redis cache. */
export const metadataProviders: Provider = {
  provide: METADATA_PROVIDERS,
  inject: [APP_CONFIG, RedisClient],
  useFactory: (config: AppConfig, redis: RedisClient) =>
    [
      new JikanProvider(config.metadata.jikanBaseUrl),
      new TmdbProvider(
        config.metadata.tmdbBaseUrl,
        config.metadata.tmdbApiKey,
        config.metadata.tmdbImageBaseUrl,
      ),
    ].map((provider) => new CachedMetadataProvider(provider, redis)),
};
