import { Inject, Injectable } from '@nestjs/common';
import { type MediaKind } from '../items/ingest-item.js';
import { MEDIA_KIND_PROCESSORS, type MediaKindProcessor } from './media-kind-processor.js';

/**
 * Which processor handles which media kind. Ingest ships video, subtitle and image; another module
 * adds its kind (ReadVault `comic`, music `audio`) by calling `register` when it starts. A kind with
 * no processor is reported per item as "not supported yet", never dropped.
 */
@Injectable()
export class MediaProcessorRegistry {
  private readonly processors = new Map<MediaKind, MediaKindProcessor>();

  constructor(@Inject(MEDIA_KIND_PROCESSORS) shipped: MediaKindProcessor[]) {
    for (const processor of shipped) this.register(processor);
  }

  register(processor: MediaKindProcessor): void {
    if (this.processors.has(processor.kind)) {
      throw new Error(`two processors for media kind "${processor.kind}"`);
    }
    this.processors.set(processor.kind, processor);
  }

  forKind(kind: MediaKind): MediaKindProcessor | undefined {
    return this.processors.get(kind);
  }

  all(): MediaKindProcessor[] {
    return [...this.processors.values()];
  }
}
