import { Inject, Injectable, Logger } from '@nestjs/common';
import { JobHandler } from '../../core/queue/job-handler.decorator.js';
import { JobName } from '../../core/queue/queue-names.js';
import { MEDIA_STORE, type MediaStore } from '../../core/storage/media-store.js';
import { PendingDeletionRepository } from '../pending-deletion.repository.js';
import { TitleRepository } from '../title.repository.js';
import { ArtworkRepository } from './artwork.repository.js';

/**
 * Artwork kept or taken up more recently than this is never swept: the collector keeps (or takes up) a
 * copy first and records it on the title after.
 */
export const ARTWORK_SWEEP_GRACE_MS = 24 * 3600 * 1000;

export interface ArtworkSweepResult {
  kept: number;
  removed: number;
}

/**
 * Artwork is shared by source URL, so deleting a title cannot delete its poster: this daily job finds
 * the copies no title uses any more (titles deleted, posters changed) and hands their stored objects
 * to the deletion drain. Two scans (titles, artwork), by design rare.
 */
@Injectable()
export class ArtworkSweeper {
  private readonly logger = new Logger('artwork');

  constructor(
    private readonly titles: TitleRepository,
    private readonly artwork: ArtworkRepository,
    private readonly pending: PendingDeletionRepository,
    @Inject(MEDIA_STORE) private readonly store: MediaStore,
  ) {}

  @JobHandler(JobName.SweepArtwork)
  async sweep(now = Date.now()): Promise<ArtworkSweepResult> {
    const used = await this.artworkInUse();
    const result: ArtworkSweepResult = { kept: 0, removed: 0 };
    const before = new Date(now - ARTWORK_SWEEP_GRACE_MS);
    for await (const copy of this.artwork.eachKept()) {
      // Forgotten first: a crash before the object is recorded leaves bytes nothing names (the
      // explorer lists them as orphans), never an artwork whose bytes are gone.
      if (used.has(copy._id) || !(await this.artwork.forgetUnusedSince(copy._id, copy.part.ref, before))) {
        result.kept++;
        continue;
      }
      await this.pending.recordObjects(this.store.kind, [copy.part.ref], 'artwork no title uses');
      result.removed++;
    }
    if (result.removed > 0) this.logger.log(`removed ${result.removed} artwork copies no title uses`);
    return result;
  }

  private async artworkInUse(): Promise<Set<string>> {
    const used = new Set<string>();
    for await (const title of this.titles.artworkFields()) {
      if (title.artwork?.poster) used.add(title.artwork.poster);
      if (title.artwork?.backdrop) used.add(title.artwork.backdrop);
      for (const still of title.episodeStills ?? []) if (still.artwork) used.add(still.artwork);
    }
    return used;
  }
}
