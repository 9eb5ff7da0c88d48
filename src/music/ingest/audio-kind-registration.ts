import { Injectable, type OnModuleInit } from '@nestjs/common';
import { MediaProcessorRegistry } from '../../ingest/processors/media-processor.registry.js';
import { AudioProcessor } from './audio.processor.js';

/** On workers: the `audio` kind joins ingest's processor registry (music was "not supported yet"). */
@Injectable()
export class AudioKindRegistration implements OnModuleInit {
  constructor(
    private readonly registry: MediaProcessorRegistry,
    private readonly processor: AudioProcessor,
  ) {}

  onModuleInit(): void {
    this.registry.register(this.processor);
  }
}
