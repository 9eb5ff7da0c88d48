import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { type Types } from 'mongoose';
import sharp, { type OutputInfo } from 'sharp';
import { MEDIA_STORE, type MediaStore } from '../../core/storage/media-store.js';
import { LibraryService } from '../library.service.js';
import { type Title, type TitleArtwork } from '../schemas/title.schema.js';
import { ArtworkFetcher, ArtworkFetchError } from './artwork-fetcher.js';
import { ArtworkRepository } from './artwork.repository.js';
import { artworkId, MASTER_WIDTH } from './artwork-sizes.js';

/** Refuses decompression bombs: a poster is a few megapixels. */
export const MAX_INPUT_PIXELS = 40_000_000;

/** What the collector does with a title's catalogue images. */
export type ArtworkOutcome = Partial<
  Record<keyof TitleArtwork | 'episodeStills', 'stored' | 'kept' | string>
>;

/**
 * Worker side: fetches the poster and backdrop enrichment found (once per source URL), keeps a WebP
 * master in the MediaStore and records its id on the title, so pages never load catalogue CDNs.
 */
@Injectable()
export class ArtworkCollector {
  private readonly logger = new Logger('artwork');

  constructor(
    private readonly library: LibraryService,
    private readonly fetcher: ArtworkFetcher,
    private readonly artwork: ArtworkRepository,
    @Inject(MEDIA_STORE) private readonly store: MediaStore,
  ) {}

  /** Throws a transient ArtworkFetchError (so the job is retried) when a host was down. */
  async collect(titleId: Types.ObjectId): Promise<ArtworkOutcome> {
    const [title] = await this.library.findTitles([titleId]);
    if (!title) return {};
    const outcome: ArtworkOutcome = {};
    let retry: ArtworkFetchError | undefined;
    for (const field of ['poster', 'backdrop'] as const) {
      const source = title[field];
      if (!source || !/^https?:\/\//i.test(source)) continue;
      const id = artworkId(source);
      if (title.artwork?.[field] === id) {
        outcome[field] = 'kept';
        continue;
      }
      try {
        if (!(await this.artwork.takeUp(id))) await this.keep(id, source);
        await this.library.setArtwork(titleId, field, id);
        outcome[field] = 'stored';
      } catch (error) {
        if (!(error instanceof ArtworkFetchError)) throw error;
        this.logger.warn(`title ${String(titleId)} ${field}: ${error.message}`);
        outcome[field] = error.message;
        if (error.transient) retry = error;
      }
    }
    const stills = await this.collectEpisodeStills(title);
    if (stills.failed > 0) outcome.episodeStills = `${stills.failed} episode still(s) not fetched`;
    else if (stills.stored > 0) outcome.episodeStills = 'stored';
    retry ??= stills.retry;
    if (retry) throw retry;
    return outcome;
  }

  /**
   * Episode stills the catalogue found and that have no local copy yet: fetched once per source URL
   * (the same guard and limits as posters), then recorded on the title in one write.
   */
  private async collectEpisodeStills(title: Title) {
    const stored = new Map<string, string>();
    let failed = 0;
    let retry: ArtworkFetchError | undefined;
    for (const still of title.episodeStills ?? []) {
      const id = artworkId(still.source);
      if (still.artwork === id || stored.has(still.source) || !/^https?:\/\//i.test(still.source)) continue;
      try {
        if (!(await this.artwork.takeUp(id))) await this.keep(id, still.source);
        stored.set(still.source, id);
      } catch (error) {
        if (!(error instanceof ArtworkFetchError)) throw error;
        this.logger.warn(
          `title ${String(title._id)} S${still.season}E${still.episode} still: ${error.message}`,
        );
        failed++;
        if (error.transient) retry = error;
      }
    }
    await this.library.setEpisodeStillArtwork(title._id, stored);
    return { stored: stored.size, failed, retry };
  }

  private async keep(id: string, source: string): Promise<void> {
    const original = await this.fetcher.fetch(source);
    let master: { data: Buffer; info: OutputInfo };
    try {
      master = await sharp(original, { limitInputPixels: MAX_INPUT_PIXELS })
        .rotate()
        .resize({ width: MASTER_WIDTH, withoutEnlargement: true })
        .webp({ quality: 85 })
        .toBuffer({ resolveWithObject: true });
    } catch (error) {
      throw new ArtworkFetchError(
        `${source} is not an image sharp can read (${(error as Error).message})`,
        false,
      );
    }
    const dir = await mkdtemp(join(tmpdir(), 'sv-artwork-'));
    try {
      const path = join(dir, `${id}.webp`);
      await writeFile(path, master.data);
      const [part] = await this.store.put(path, `artwork-${id}.webp`, { key: `artwork-${id}` });
      await this.artwork.save({
        _id: id,
        source,
        part,
        width: master.info.width,
        height: master.info.height,
        createdAt: new Date(),
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
