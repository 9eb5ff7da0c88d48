import { Injectable } from '@nestjs/common';
import { type Identity } from '../../core/identity/identity.js';
import {
  ProgressService,
  type ReadingChapter,
  type ReadingProgressView,
} from '../../site/progress/progress.service.js';
import { type Chapter } from '../chapters/chapter.schema.js';
import { ReadVaultService } from '../readvault.service.js';
import { chapterLabel, chapterNeighbours, type SeriesChapter } from './chapter-order.js';

/**
 * Reading progress per identity (guest or account), kept by the site's progress store: the page of
 * each chapter, and the series in the continue row (handed on to the next chapter when one ends).
 */
@Injectable()
export class ReadingService {
  constructor(
    private readonly readvault: ReadVaultService,
    private readonly progress: ProgressService,
  ) {}

  async get(identity: Identity, chapterId: string): Promise<ReadingProgressView> {
    const chapter = await this.readvault.chapter(chapterId);
    return this.progress.getReading(identity, chapter._id, chapter.pages.length);
  }

  /**
   * Saves the page shown. `forwardOnly` is for pages fetched rather than shown (an app streaming a
   * chapter, re-showing its cover): they never move the saved place back, nor unfinish a chapter.
   */
  async save(
    identity: Identity,
    chapterId: string,
    page: number,
    { forwardOnly = false } = {},
  ): Promise<ReadingProgressView> {
    const chapter = await this.readvault.chapter(chapterId);
    const series = await this.readvault.seriesChapters(chapter.seriesId);
    const { next } = chapterNeighbours(series, chapter._id);
    const nextChapter = next ? await this.readvault.findChapter(next.id) : null;
    return this.progress.saveReading(identity, {
      chapter: readingChapter(chapter),
      page,
      next: nextChapter ? readingChapter(nextChapter, next) : undefined,
      forwardOnly,
    });
  }
}

function readingChapter(chapter: Chapter, listed?: SeriesChapter): ReadingChapter {
  return {
    chapterId: chapter._id,
    fileId: String(chapter.fileId),
    titleId: String(chapter.seriesId),
    pageCount: chapter.pages.length,
    label: chapterLabel(listed ?? chapter),
  };
}
