import { type Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import sharp from 'sharp';
import { AppError } from '../core/errors/app-error.js';
import { MEDIA_STORE, type MediaStore } from '../core/storage/media-store.js';
import { LibraryService } from '../library/library.service.js';
import { ChapterRepository } from './chapters/chapter.repository.js';
import { type Chapter, type ComicSeries } from './chapters/chapter.schema.js';
import { PageReader } from './pages/page-reader.js';
import { ResizedPageCache } from './pages/resized-page-cache.js';
import { UnreadablePageError } from './pages/unreadable-page.js';

/** Widths a resized page comes in: a request snaps to one, so the cache holds a bounded set. */
export const PAGE_WIDTHS = [320, 480, 720, 1080, 1440] as const;
const MIME: Record<string, string> = {
  jpg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
};

export interface PageBytes {
  bytes: Buffer;
  mime: string;
  /** Stable per page and width (the stored bytes never change). */
  etag: string;
}

/** The largest listed width not above the request (the smallest when it is below all of them). */
export function snapWidth(requested: number): number {
  return [...PAGE_WIDTHS].reverse().find((width) => width <= requested) ?? PAGE_WIDTHS[0];
}

/** Reading: series and their chapters, and pages — original bytes, or resized WebP from the cache. */
@Injectable()
export class ReadVaultService {
  constructor(
    private readonly chapters: ChapterRepository,
    private readonly library: LibraryService,
    private readonly reader: PageReader,
    private readonly cache: ResizedPageCache,
    @Inject(MEDIA_STORE) private readonly store: MediaStore,
  ) {}

  async series(id: Types.ObjectId) {
    const [title, series] = await Promise.all([this.library.requireTitle(id), this.chapters.findSeries(id)]);
    if (title.kind !== 'manga' || !series) throw notFound(`No manga series with id ${String(id)}.`);
    return { title, series };
  }

  /** The series' chapters in reading order (none for a title that is not a comic series). */
  async seriesChapters(seriesId: Types.ObjectId): Promise<ComicSeries['chapters']> {
    return (await this.chapters.findSeries(seriesId))?.chapters ?? [];
  }

  findChapter(id: string): Promise<Chapter | null> {
    return this.chapters.findChapter(id);
  }

  async chapter(id: string): Promise<Chapter> {
    const chapter = await this.chapters.findChapter(id);
    if (!chapter) throw notFound(`No chapter with id ${id}.`);
    return chapter;
  }

  /** Page `number` (from 1) of a chapter, at its original size or resized to a listed width (never up). */
  async page(chapterId: string, number: number, width?: number): Promise<PageBytes> {
    const chapter = await this.chapter(chapterId);
    const page = chapter.pages[number - 1];
    if (!page)
      throw notFound(
        `Chapter ${chapterId} has pages 1 to ${chapter.pages.length}; there is no page ${number}.`,
      );
    const ext = page.name.split('.').pop()!.toLowerCase();
    const snapped = width === undefined ? undefined : snapWidth(width);
    const tag = `${String(chapter.fileId)}-${page.name}`;
    if (snapped === undefined || snapped >= page.width) {
      return {
        bytes: await this.original(chapter, page.name),
        mime: MIME[ext] ?? 'application/octet-stream',
        etag: `"${tag}"`,
      };
    }
    const cacheName = `${String(chapter.fileId)}-${page.name.replace(/\.\w+$/, '')}-w${snapped}.webp`;
    const cached = await this.cache.get(cacheName);
    const etag = `"${tag}-w${snapped}"`;
    if (cached) return { bytes: cached, mime: 'image/webp', etag };
    const original = await this.original(chapter, page.name);
    let resized: Buffer;
    try {
      resized = await sharp(original, { limitInputPixels: 100_000_000 })
        .resize({ width: snapped, withoutEnlargement: true })
        .webp({ quality: 82 })
        .toBuffer();
    } catch (error) {
      throw new UnreadablePageError(number, (error as Error).message);
    }
    await this.cache.put(cacheName, resized);
    return { bytes: resized, mime: 'image/webp', etag };
  }

  /** The chapter's whole CBZ (an OPDS download), as stored. */
  async archive(chapterId: string): Promise<{ stream: Readable; size: number; fileName: string }> {
    const chapter = await this.chapter(chapterId);
    const file = await this.library.requireFile(new Types.ObjectId(chapter.fileId));
    return {
      stream: this.store.read(file.storage.parts, 0, file.size - 1),
      size: file.size,
      fileName: file.fileName,
    };
  }

  private async original(chapter: Chapter, entry: string): Promise<Buffer> {
    const file = await this.library.requireFile(new Types.ObjectId(chapter.fileId));
    return this.reader.read(file, entry);
  }
}

function notFound(message: string): AppError {
  return new AppError(404, 'not_found', message);
}
