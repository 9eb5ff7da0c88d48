import { Injectable } from '@nestjs/common';
import { AppError } from '../../core/errors/app-error.js';
import { LibraryService } from '../../library/library.service.js';
import { chapterLabel, chapterNeighbours, type SeriesChapter } from '../reading/chapter-order.js';
import { ReadVaultService } from '../readvault.service.js';

/** The site's reader page: a chapter's pages with their sizes, its series, and the chapters around it. */
@Injectable()
export class ReaderPageService {
  constructor(
    private readonly readvault: ReadVaultService,
    private readonly library: LibraryService,
  ) {}

  async page(chapterId: string) {
    const chapter = await this.readvault.findChapter(chapterId);
    if (!chapter) throw new AppError(404, 'not_found', 'There is no chapter at this address.');
    const [title, chapters] = await Promise.all([
      this.library.requireTitle(chapter.seriesId),
      this.readvault.seriesChapters(chapter.seriesId),
    ]);
    const { previous, next } = chapterNeighbours(chapters, chapter._id);
    const base = `/api/readvault/chapters/${encodeURIComponent(chapter._id)}/pages`;
    const label = chapterLabel(chapter);
    return {
      id: chapter._id,
      seriesId: String(chapter.seriesId),
      seriesName: title.name,
      label,
      title: chapter.title && chapter.title !== label ? chapter.title : undefined,
      direction: chapter.rightToLeft ? 'rtl' : 'ltr',
      pageCount: chapter.pages.length,
      pagesJson: JSON.stringify(
        chapter.pages.map((page, index) => ({ url: `${base}/${index + 1}`, w: page.width, h: page.height })),
      ),
      firstPage: { url: `${base}/1`, width: chapter.pages[0]?.width, height: chapter.pages[0]?.height },
      previous: previous ? link(previous) : undefined,
      next: next ? link(next) : undefined,
      chapters: chapters.map((entry) => ({ ...link(entry), current: entry.id === chapter._id })),
    };
  }
}

function link(chapter: SeriesChapter) {
  return { href: `/read/${encodeURIComponent(chapter.id)}`, label: chapterLabel(chapter) };
}
