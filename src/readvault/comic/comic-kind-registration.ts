import { Injectable, type OnModuleInit } from '@nestjs/common';
import { MediaProcessorRegistry } from '../../ingest/processors/media-processor.registry.js';
import { ComicProcessor } from './comic.processor.js';

/** On workers: the `comic` kind joins ingest's processor registry (comics were "not supported yet"). */
@Injectable()
export class ComicKindRegistration implements OnModuleInit {
  constructor(
    private readonly registry: MediaProcessorRegistry,
    private readonly processor: ComicProcessor,
  ) {}

  onModuleInit(): void {
    this.registry.register(this.processor);
  }
}
