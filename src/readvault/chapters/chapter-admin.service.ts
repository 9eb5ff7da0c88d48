import { Injectable, Logger } from '@nestjs/common';
import { Types } from 'mongoose';
import { AppError } from '../../core/errors/app-error.js';
import { LibraryService } from '../../library/library.service.js';
import { parseComicInfo } from '../comic/comic-info.js';
import { PageReader } from '../pages/page-reader.js';
import { ReadVaultService } from '../readvault.service.js';
import { chapterLabel, chaptersByVolume } from '../reading/chapter-order.js';
import { ChapterFileRepository } from './chapter-file.repository.js';
import { ChapterRepository } from './chapter.repository.js';
import { type Chapter } from './chapter.schema.js';

/**
 * The library CMS's part for manga: a series' volumes and chapters, deleting a chapter (its CBZ's bytes
 * queued for deletion as for any file), re-reading a chapter's ComicInfo.xml, choosing the cover.
 */
@Injectable()
export class ChapterAdminService {
  private readonly logger = new Logger('readvault');

  constructor(
    private readonly chapters: ChapterRepository,
    private readonly files: ChapterFileRepository,
    private readonly library: LibraryService,
    private readonly reader: PageReader,
    private readonly readvault: ReadVaultService,
  ) {}

  async series(titleId: Types.ObjectId) {
    const series = await this.chapters.findSeries(titleId);
    if (!series) return { volumes: [], chapterCount: 0, cover: undefined };
    const cover = series.cover ?? (series.chapters[0] && { chapterId: series.chapters[0].id, page: 1 });
    return {
      chapterCount: series.chapters.length,
      cover: cover && {
        ...cover,
        src: `/api/readvault/chapters/${encodeURIComponent(cover.chapterId)}/pages/${cover.page}?width=320`,
      },
      volumes: chaptersByVolume(series.chapters).map((group) => ({
        label: group.volume === undefined ? 'No volume' : `Volume ${group.volume}`,
        chapters: group.chapters.map((chapter) => ({
          id: chapter.id,
          label: chapterLabel({ number: chapter.number, title: chapter.title }),
          title: chapter.number !== undefined ? (chapter.title ?? '') : '',
          pageCount: chapter.pageCount,
          readHref: `/read/${encodeURIComponent(chapter.id)}`,
          isCover: cover?.chapterId === chapter.id,
        })),
      })),
    };
  }

  /**
   * Removes the chapter from its series and the library; its CBZ's bytes are queued for deletion once
   * no other chapter reads them.
   */
  async deleteChapter(titleId: Types.ObjectId, chapterId: string): Promise<Chapter> {
    const chapter = await this.requireChapter(titleId, chapterId);
    await this.chapters.editSeries(titleId, (series) => {
      series.chapters = series.chapters.filter((entry) => entry.id !== chapterId);
      if (series.cover?.chapterId === chapterId) series.cover = undefined;
      return true;
    });
    await this.chapters.deleteChapter(chapterId);
    this.readvault.forgetChapter(chapterId);
    // Another chapter may read the same CBZ (stored once per content): its bytes go with the last user.
    await this.files.detach(chapter.fileId, chapterId, () =>
      this.library.deleteDetachedFiles([chapter.fileId], 'chapter deleted'),
    );
    this.logger.log(`deleted chapter ${chapterId} of ${String(titleId)}`);
    return chapter;
  }

  /**
   * Reads the stored CBZ's ComicInfo.xml again (after a tool fixed it, or a parser got better): the
   * chapter's volume, number, title, language and direction, and the series' details it gives.
   */
  async rereadComicInfo(titleId: Types.ObjectId, chapterId: string): Promise<string> {
    const chapter = await this.requireChapter(titleId, chapterId);
    const file = await this.library.requireFileUnscoped(new Types.ObjectId(chapter.fileId));
    let xml: string;
    try {
      xml = (await this.reader.read(file, 'ComicInfo.xml')).toString('utf8');
    } catch {
      throw new AppError(422, 'no_comic_info', `${chapterLabel(chapter)} has no ComicInfo.xml to read.`);
    }
    const info = parseComicInfo(xml);
    const updated: Chapter = {
      ...chapter,
      volume: info.volume ?? chapter.volume,
      number: info.number ?? chapter.number,
      title: info.title ?? chapter.title,
      language: info.language ?? chapter.language,
      rightToLeft: info.rightToLeft,
    };
    await this.chapters.replaceChapter(updated);
    this.readvault.forgetChapter(chapterId);
    await this.chapters.editSeries(titleId, (series) => {
      series.chapters = series.chapters.map((entry) =>
        entry.id === chapterId
          ? { ...entry, volume: updated.volume, number: updated.number, title: updated.title }
          : entry,
      );
      series.writer = info.writer ?? series.writer;
      series.penciller = info.penciller ?? series.penciller;
      series.summary = info.summary ?? series.summary;
      if (info.genres.length > 0) series.genres = info.genres;
      series.language = info.language ?? series.language;
      series.rightToLeft = info.rightToLeft || series.rightToLeft;
      return true;
    });
    return `${chapterLabel(updated)}${updated.title ? ` · ${updated.title}` : ''}, ${updated.rightToLeft ? 'right to left' : 'left to right'}`;
  }

  async chooseCover(titleId: Types.ObjectId, chapterId: string, page: number): Promise<void> {
    const chapter = await this.requireChapter(titleId, chapterId);
    if (!Number.isInteger(page) || page < 1 || page > chapter.pages.length) {
      throw new AppError(
        400,
        'bad_request',
        `${chapterLabel(chapter)} has pages 1 to ${chapter.pages.length}.`,
      );
    }
    await this.chapters.editSeries(titleId, (series) => {
      series.cover = { chapterId, page };
      return true;
    });
  }

  private async requireChapter(titleId: Types.ObjectId, chapterId: string): Promise<Chapter> {
    const chapter = await this.chapters.findChapter(chapterId);
    if (!chapter || !chapter.seriesId.equals(titleId)) {
      throw new AppError(404, 'not_found', `Title ${String(titleId)} has no chapter ${chapterId}.`);
    }
    return chapter;
  }
}
