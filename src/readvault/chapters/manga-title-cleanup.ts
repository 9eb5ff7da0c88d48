import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { type Types } from 'mongoose';
import { LibraryService } from '../../library/library.service.js';
import { type TitleDependent, TitleDependents } from '../../library/title-dependents.js';
import { ChapterFileRepository } from './chapter-file.repository.js';
import { ChapterRepository } from './chapter.repository.js';

/**
 * What ReadVault keeps for a manga title — its chapter list, its chapters and their CBZs — removed
 * when the library deletes the title. A CBZ another series' chapter still reads stays. Caches of the
 * deleted files (pages in memory, resized pages on disk) are dropped by every process on the file
 * change the library publishes.
 */
@Injectable()
export class MangaTitleCleanup implements TitleDependent, OnModuleInit {
  readonly name = 'manga chapters';
  private readonly logger = new Logger('readvault');

  constructor(
    private readonly dependents: TitleDependents,
    private readonly chapters: ChapterRepository,
    private readonly files: ChapterFileRepository,
    private readonly library: LibraryService,
  ) {}

  onModuleInit(): void {
    this.dependents.register(this);
  }

  async deleteForTitle(titleId: Types.ObjectId): Promise<void> {
    const series = await this.chapters.findSeries(titleId);
    if (!series) return;
    let filesDeleted = 0;
    for (const entry of series.chapters) {
      const chapter = await this.chapters.findChapter(entry.id);
      await this.chapters.deleteChapter(entry.id);
      if (!chapter) continue;
      const unused = await this.files.detach(chapter.fileId, chapter._id, () =>
        this.library.deleteDetachedFiles([chapter.fileId], 'title deleted'),
      );
      if (unused) filesDeleted++;
    }
    await this.chapters.deleteSeries(titleId);
    this.logger.log(
      `deleted ${series.chapters.length} chapter(s) of ${String(titleId)} and ${filesDeleted} CBZ file(s)`,
    );
  }
}
