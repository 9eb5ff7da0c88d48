import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../core/config/app-config.js';
import { ResizedImageCache } from '../../core/storage/resized-image-cache.js';

/** Covers resized for getCoverArt (`DATA_DIR/cache/covers`), capped at COVER_CACHE_MB (least recently used go). */
@Injectable()
export class ResizedCoverCache extends ResizedImageCache {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super(join(config.dataDir, 'cache', 'covers'), config.music.coverCacheBytes, '.jpg');
  }
}
