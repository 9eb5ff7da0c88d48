import { Injectable, Logger } from '@nestjs/common';
import { RedisMutex } from '../../core/redis/redis-mutex.js';
import { BootDataJob } from '../../core/util/boot-data-job.js';
import { coverFilesOf, MusicCoverRepository } from './music-cover.repository.js';
import { MusicRepository } from './music.repository.js';

/** How long one process may hold the backfill before another may start it again. */
const BACKFILL_LOCK_MS = 30 * 60_000;

/**
 * Albums filed before the cover lookup existed get their covers into it, once per install, in the
 * background after boot (one process at a time; a crash leaves it to the next boot; retried while the
 * database or Redis does not answer, where it used to wait for the next boot). Until it is done
 * such a cover is outside every filtered scope, as before.
 */
@Injectable()
export class MusicCoverBackfill extends BootDataJob {
  protected readonly logger = new Logger('music');
  protected readonly task = 'backfill album covers';

  constructor(
    private readonly music: MusicRepository,
    private readonly covers: MusicCoverRepository,
    private readonly mutex: RedisMutex,
  ) {
    super();
  }

  /** Links every album's covers, then marks the lookup complete; true when this call did it. */
  async run(): Promise<boolean> {
    if (await this.covers.backfilled()) return false;
    const done = await this.mutex.ifFree(
      'music-cover-backfill',
      async () => {
        if (await this.covers.backfilled()) return false;
        let albums = 0;
        for await (const album of this.music.eachAlbumCovers()) {
          await this.covers.link(album._id, coverFilesOf(album));
          albums++;
        }
        await this.covers.markBackfilled();
        if (albums > 0) this.logger.log(`album covers: ${albums} album(s) added to the cover lookup`);
        return true;
      },
      BACKFILL_LOCK_MS,
    );
    return done === true;
  }
}
