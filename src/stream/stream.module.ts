import { type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { StreamFastPath } from './fast-path/stream-fast-path.js';
import { FileRecordCache } from './file-record.cache.js';
import { signedMediaCors } from './http/signed-media-cors.js';
import { MediaDelivery } from './media-delivery.js';
import { ScreenshotsController } from './screenshots.controller.js';
import { SignController } from './sign.controller.js';
import { StreamController } from './stream.controller.js';
import { StreamMetrics } from './stream.metrics.js';
import { StreamService } from './stream.service.js';
import { SubtitlesController } from './subtitles.controller.js';
import { SubtitleExtractor } from './subtitles/subtitle-extractor.js';
import { SubtitleService } from './subtitles/subtitle.service.js';
import { StreamUsagePublisher } from './usage/stream-usage.publisher.js';
import { TenantUsageMeter } from './usage/tenant-usage.meter.js';
import { WatchController } from './watch.controller.js';

/** The streamer role's HTTP surface: media bytes, link signing, subtitles, stills and the player page. */
@Module({
  controllers: [
    StreamController,
    SignController,
    SubtitlesController,
    WatchController,
    ScreenshotsController,
  ],
  providers: [
    FileRecordCache,
    MediaDelivery,
    StreamFastPath,
    StreamService,
    StreamMetrics,
    StreamUsagePublisher,
    TenantUsageMeter,
    SubtitleService,
    SubtitleExtractor,
  ],
  exports: [StreamService, StreamFastPath, TenantUsageMeter],
})
export class StreamModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(signedMediaCors).forRoutes('stream/*path', 'subtitles/*path', 'media/*path');
  }
}
