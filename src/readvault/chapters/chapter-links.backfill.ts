import { Injectable, Logger } from '@nestjs/common';
import { MigrationMarks } from '../../core/database/migration-marks.repository.js';
import { BootDataJob } from '../../core/util/boot-data-job.js';
import { chapterLinkTypes, type ChapterLinkTypes } from './chapter-link-types.js';
import { ChapterRepository } from './chapter.repository.js';

/** Marks that every series' chapter list keeps its chapters' feed link types. */
export const CHAPTER_LINKS_BACKFILL = 'comic-series-chapter-links';

/**
 * Gives chapter-list entries filed before the list kept their feed link types those types, once (one
 * scan of the series, reading only the chapters that lack them; several managers may run it at once,
 * it is idempotent). Until it has run, feeds read those chapters themselves, so nothing waits on it.
 */
@Injectable()
export class ChapterLinksBackfill extends BootDataJob {
  protected readonly logger = new Logger('readvault');
  protected readonly task = 'backfill chapter link types';

  constructor(
    private readonly chapters: ChapterRepository,
    private readonly marks: MigrationMarks,
  ) {
    super();
  }

  /** Returns how many entries it filled in (0 when there was nothing to do). */
  async run(): Promise<number> {
    if (await this.marks.isDone(CHAPTER_LINKS_BACKFILL)) return 0;
    let filled = 0;
    for await (const series of this.chapters.eachSeries()) {
      if (this.stopped) return filled;
      const lacking = series.chapters.filter((entry) => !entry.links).map((entry) => entry.id);
      if (lacking.length === 0) continue;
      const links = new Map<string, ChapterLinkTypes>();
      for (const id of lacking) {
        const types = chapterLinkTypes((await this.chapters.findChapter(id))?.pages ?? []);
        if (types) links.set(id, types);
      }
      filled += await this.chapters.fillChapterLinks(series._id, links);
    }
    await this.marks.markDone(CHAPTER_LINKS_BACKFILL);
    if (filled > 0) this.logger.log(`chapter link types: ${filled} chapter(s) filled in`);
    return filled;
  }
}
