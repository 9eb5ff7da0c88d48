import { Module } from '@nestjs/common';
import { SignController } from './sign.controller.js';
import { StreamController } from './stream.controller.js';
import { StreamMetrics } from './stream.metrics.js';
import { StreamService } from './stream.service.js';

/** The streamer role's HTTP surface: media bytes and link signing. */
@Module({
  controllers: [StreamController, SignController],
  providers: [StreamService, StreamMetrics],
  exports: [StreamService],
})
export class StreamModule {}
