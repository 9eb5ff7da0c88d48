import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../core/config/app-config.js';
import { ResizedImageCache } from '../../core/storage/resized-image-cache.js';

/** Resized pages on disk (`DATA_DIR/cache/readvault`), capped at READVAULT_CACHE_MB (least recently used go). */
@Injectable()
export class ResizedPageCache extends ResizedImageCache {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super(join(config.dataDir, 'cache', 'readvault'), config.readvault.cacheBytes, '.webp');
  }
}
