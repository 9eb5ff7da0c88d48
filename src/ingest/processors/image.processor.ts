import { Injectable } from '@nestjs/common';
import { type ItemContext, type MediaKindProcessor } from './media-kind-processor.js';

/**
 * Pictures in a pack (cover.jpg, poster.png, folder.jpg). A processor of another kind that uses a
 * picture (an album's cover, a comic's) records it as its own before the companions run; a picture
 * nobody took is reported as skipped — video titles take their artwork from TMDB / Jikan.
 */
@Injectable()
export class ImageProcessor implements MediaKindProcessor {
  readonly kind = 'image' as const;
  readonly stage = 'companion' as const;

  async process(context: ItemContext): Promise<void> {
    const videos = context.items().some((item) => item.kind === 'video' && item.state !== 'skipped');
    const music = context.items().some((item) => item.kind === 'audio');
    await context.record({
      state: 'skipped',
      error: videos
        ? 'a picture; video titles take their artwork from TMDB / Jikan'
        : music
          ? 'a picture; an album cover (cover.jpg, folder.jpg) is stored with its tracks'
          : 'a picture no item of the source uses',
    });
  }
}
