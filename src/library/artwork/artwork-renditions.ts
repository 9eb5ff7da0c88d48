import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppError } from '../../core/errors/app-error.js';
import { MEDIA_STORE, type MediaStore, StoredObjectMissingError } from '../../core/storage/media-store.js';
import { ArtworkDiskCache } from './artwork-disk-cache.js';
import { ArtworkRepository } from './artwork.repository.js';
import { ARTWORK_ID, ARTWORK_SIZES, type ArtworkSize, isArtworkSize } from './artwork-sizes.js';

/** Serving side: an artwork at one of the fixed sizes, resized once with sharp and kept on disk. */
@Injectable()
export class ArtworkRenditions {
  /** Renditions being made right now, so a burst of requests for a new one resizes it once. */
  private readonly inFlight = new Map<string, Promise<Buffer>>();
  private readonly logger = new Logger('artwork');

  constructor(
    private readonly artwork: ArtworkRepository,
    private readonly cache: ArtworkDiskCache,
    @Inject(MEDIA_STORE) private readonly store: MediaStore,
  ) {}

  async get(id: string, size: string): Promise<Buffer> {
    if (!ARTWORK_ID.test(id) || !isArtworkSize(size)) {
      throw new AppError(
        404,
        'not_found',
        `No artwork ${id.slice(0, 30)} at size ${size.slice(0, 10)} (sizes: ${Object.keys(ARTWORK_SIZES).join(', ')}).`,
      );
    }
    const cached = await this.cache.read(id, size);
    if (cached) return cached;
    const key = `${id}/${size}`;
    let making = this.inFlight.get(key);
    if (!making) {
      making = this.make(id, size).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, making);
    }
    return making;
  }

  private async make(id: string, size: ArtworkSize): Promise<Buffer> {
    const artwork = await this.artwork.findById(id);
    if (!artwork) throw new AppError(404, 'not_found', `No artwork ${id}.`);
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of this.store.read([artwork.part], 0, artwork.part.size - 1))
        chunks.push(chunk as Buffer);
    } catch (error) {
      // Its stored copy was deleted (by hand, or as an orphan before the explorer knew artwork): the
      // page shows no picture, not a server error.
      if (!(error instanceof StoredObjectMissingError)) throw error;
      this.logger.warn(`artwork ${id}: its stored copy ${artwork.part.ref} is missing`);
      throw new AppError(404, 'not_found', `Artwork ${id} has no stored copy any more.`);
    }
    // Loaded on the first rendition a streamer makes: most requests are disk-cache hits (or nginx's).
    const { default: sharp } = await import('sharp');
    const bytes = await sharp(Buffer.concat(chunks))
      .resize({ width: ARTWORK_SIZES[size], withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer();
    await this.cache.write(id, size, bytes);
    return bytes;
  }
}
