import { type Readable } from 'node:stream';
import { Inject, Injectable, Logger, type OnModuleInit, Optional } from '@nestjs/common';
import { Types } from 'mongoose';
import { AppError } from '../core/errors/app-error.js';
import { MEDIA_STORE, type MediaStore } from '../core/storage/media-store.js';
import { TenantContext } from '../core/tenancy/tenant-context.js';
import { type TenantScope } from '../core/tenancy/tenant.js';
import { ExpiringMap } from '../core/util/expiring-map.js';
import { FileChangeBus } from '../library/file-change.bus.js';
import { TenantUsageMeter } from '../stream/usage/tenant-usage.meter.js';
import { CatalogQueryService } from '../library/catalog/catalog-query.service.js';
import { LibraryService } from '../library/library.service.js';
import { type MediaFile } from '../library/schemas/media-file.schema.js';
import { ChapterRepository } from './chapters/chapter.repository.js';
import { type Chapter, type ComicSeries, type PageInfo } from './chapters/chapter.schema.js';
import { type ByteCounter } from './pages/metered-body.js';
import { PAGE_WIDTHS, pageMime, servedAsStored, snapWidth } from './pages/page-mime.js';
import { PageReader } from './pages/page-reader.js';
import { ResizedPageCache } from './pages/resized-page-cache.js';
import { UnreadablePageError } from './pages/unreadable-page.js';

// The page route's widths and types, also declared by feeds (kept in pages/page-mime.ts).
export { PAGE_WIDTHS, pageMime, snapWidth } from './pages/page-mime.js';

interface PageSource {
  chapter: Chapter;
  file: MediaFile;
}

export interface PageBytes {
  bytes: Buffer;
  mime: string;
  /** Stable per page and width (the stored bytes never change). */
  etag: string;
}

/** A page's answer without its bytes (a HEAD, a revalidation). */
export interface PageHeaders {
  etag: string;
  mime: string;
  /** Whether the bytes are a resize (a WebP at a listed width) rather than the page as stored. */
  resized: boolean;
  /** The resized page's length, when the cache already holds it. */
  length?: number;
}

/** How long a page's chapter and file records are reused without asking the database again. */
const PAGE_SOURCE_TTL_MS = 15_000;
const PAGE_SOURCES = 500;
/** Original pages kept in memory, most recently read last: readers on one chapter read the same pages. */
const HOT_PAGE_BYTES = 64 * 1024 * 1024;

/** Reading: series and their chapters, and pages — original bytes, or resized WebP from the cache. */
@Injectable()
export class ReadVaultService implements OnModuleInit {
  private readonly logger = new Logger('readvault');
  /**
   * A reader turns pages of one chapter: its chapter and CBZ records are read once and kept briefly
   * (two database round trips less per page; an admin's change shows within the TTL).
   */
  private readonly sources = new Map<
    string,
    { until: number; source: Promise<PageSource>; resolved?: PageSource }
  >();
  private readonly hot = new Map<string, Buffer>();
  private hotBytes = 0;
  /**
   * A scoped site's answers about series, per scope (a changed tenant is a new object, so a new scope
   * starts afresh) and series id, kept as briefly as the records.
   */
  private readonly seriesScope = new WeakMap<TenantScope, ExpiringMap<string, boolean>>();
  /** Resizes under way, by cache name: readers asking one page at one width at once share one resize. */
  private readonly resizing = new Map<string, Promise<Buffer>>();

  constructor(
    private readonly chapters: ChapterRepository,
    private readonly library: LibraryService,
    private readonly catalog: CatalogQueryService,
    private readonly reader: PageReader,
    private readonly cache: ResizedPageCache,
    @Inject(MEDIA_STORE) private readonly store: MediaStore,
    private readonly fileChanges: FileChangeBus,
    /** Present where the stream module runs (streamers, one-box installs); managers alone do not meter. */
    @Optional() private readonly usage?: TenantUsageMeter,
  ) {}

  /**
   * Counts bytes of pages (or CBZs) sent to the current site in its usage; the site is taken now,
   * so the count may come later (when the answer has gone out).
   */
  meter(): ByteCounter {
    const tenantId = TenantContext.current().id;
    return (bytes) => this.usage?.served(tenantId, bytes);
  }

  /** A CBZ deleted anywhere (its chapter or title deleted) is forgotten here at once, and on disk. */
  async onModuleInit(): Promise<void> {
    await this.fileChanges.listen((fileIds) => void this.forgetFiles(fileIds));
    // What is kept meanwhile is forgotten once the subscription is in (the bus's gap).
    if (!this.fileChanges.live) this.logger.warn('file changes are not followed until Redis is reachable');
  }

  private async forgetFiles(fileIds: readonly string[] | undefined): Promise<void> {
    this.sources.clear();
    this.reader.forget(fileIds);
    for (const [key, bytes] of this.hot) {
      if (fileIds && !fileIds.some((id) => key.startsWith(`${id}/`))) continue;
      this.hot.delete(key);
      this.hotBytes -= bytes.length;
    }
    // Resized pages on disk only for files named: a lost subscription says nothing was deleted.
    if (fileIds) {
      await this.cache
        .removeFiles(fileIds)
        .catch((error: Error) => this.logger.warn(`resized pages not removed: ${error.message}`));
    }
  }

  async series(id: Types.ObjectId) {
    const [title, series] = await Promise.all([this.library.requireTitle(id), this.chapters.findSeries(id)]);
    if (title.kind !== 'manga' || !series) throw notFound(`No manga series with id ${String(id)}.`);
    return { title, series };
  }

  /** The series' chapters in reading order (none for a title that is not a comic series). */
  async seriesChapters(seriesId: Types.ObjectId): Promise<ComicSeries['chapters']> {
    return (await this.chapters.findSeries(seriesId))?.chapters ?? [];
  }

  /**
   * The page that stands for the series (the admin's choice, else the first chapter's first page) as
   * a resized page URL, or none for a series without chapters.
   */
  async seriesCover(seriesId: Types.ObjectId, width: number = PAGE_WIDTHS[1]): Promise<string | undefined> {
    const cover = coverOf(await this.chapters.findSeries(seriesId));
    return cover && coverUrl(cover, width);
  }

  /** The series' cover for a feed: its URL at `width` and the type the page route answers for it. */
  async seriesCoverImage(
    series: ComicSeries,
    width: number,
  ): Promise<{ href: string; type: string } | undefined> {
    const cover = coverOf(series);
    if (!cover) return undefined;
    const page = (await this.chapters.findChapter(cover.chapterId))?.pages[cover.page - 1];
    return page && { href: coverUrl(cover, width), type: pageMime(page, width) };
  }

  /** The records of chapters, null where one is gone: one `_id` read each (the only lookup pushed down). */
  findChapters(ids: readonly string[]): Promise<(Chapter | null)[]> {
    return Promise.all(ids.map((id) => this.chapters.findChapter(id)));
  }

  findChapter(id: string): Promise<Chapter | null> {
    return this.chapters.findChapter(id);
  }

  /** The chapter; 404 also when the current site's scope leaves out its series. */
  async chapter(id: string): Promise<Chapter> {
    const chapter = await this.chapters.findChapter(id);
    if (!chapter || !(await this.seriesInScope(chapter))) throw notFound(`No chapter with id ${id}.`);
    return chapter;
  }

  /**
   * Whether the current site shows the chapter's series (the library's title scope; a CBZ, stored once
   * for every series that files it, has no title of its own). Free on a site that shows everything;
   * on a scoped one a few Redis reads per series, kept PAGE_SOURCE_TTL_MS.
   */
  private async seriesInScope(chapter: Pick<Chapter, 'seriesId'>): Promise<boolean> {
    const { scope } = TenantContext.current();
    if (scope.mode !== 'filtered') return true;
    let answers = this.seriesScope.get(scope);
    if (!answers) this.seriesScope.set(scope, (answers = new ExpiringMap(PAGE_SOURCES, PAGE_SOURCE_TTL_MS)));
    const key = String(chapter.seriesId);
    const kept = answers.get(key);
    if (kept !== undefined) return kept;
    const shown = await this.catalog.inScope(key);
    answers.set(key, shown);
    return shown;
  }

  /**
   * The page at its original size when everything it needs is in memory (the chapter's records kept,
   * the bytes read lately), without waiting on anything; undefined otherwise (then `page` reads it).
   * A reader turning pages everyone is reading costs a few map lookups. It does not look at any
   * scope: only the default site's requests (which show everything) may ask.
   */
  hotPage(chapterId: string, number: number, width?: number): PageBytes | undefined {
    const kept = this.sources.get(chapterId);
    if (!kept?.resolved || kept.until <= Date.now()) return undefined;
    const { chapter, file } = kept.resolved;
    const page = chapter.pages[number - 1];
    if (!page || !servedAsStored(page, width)) return undefined;
    const key = `${String(file._id)}/${page.name}`;
    const bytes = this.hot.get(key);
    if (!bytes) return undefined;
    this.hot.delete(key); // most recently used goes last
    this.hot.set(key, bytes);
    return {
      bytes,
      mime: pageMime(page),
      etag: `"${String(chapter.fileId)}-${page.name}"`,
    };
  }

  /**
   * Page `number` (from 1) of a chapter, at its original size or resized to a listed width (never up);
   * 404 when the current site's scope leaves out the series.
   */
  async page(chapterId: string, number: number, width?: number): Promise<PageBytes> {
    const { file, page, etag, mime, resize: resized } = await this.locate(chapterId, number, width);
    if (!resized) return { bytes: await this.original(file, page), mime, etag };
    const { cacheName } = resized;
    const cached = await this.cache.get(cacheName);
    if (cached) return { bytes: cached, mime, etag };
    let resize = this.resizing.get(cacheName);
    if (!resize) {
      resize = this.resize(file, page, number, resized.width, cacheName).finally(() =>
        this.resizing.delete(cacheName),
      );
      this.resizing.set(cacheName, resize);
    }
    return { bytes: await resize, mime, etag };
  }

  /**
   * What `page` answers, without its bytes: the ETag and type come from the chapter record alone, so
   * a HEAD or a revalidation costs no resize (the ETag is predictable: HEADs over every page must not
   * make the server resize them all). The length of a resized page is known once it is cached.
   */
  async pageHeaders(chapterId: string, number: number, width?: number): Promise<PageHeaders> {
    const { etag, mime, resize } = await this.locate(chapterId, number, width);
    if (!resize) return { etag, mime, resized: false };
    return { etag, mime, resized: true, length: await this.cache.size(resize.cacheName) };
  }

  /** A page of a chapter the current site shows, with its ETag and type, and how it is resized (if it is). */
  private async locate(
    chapterId: string,
    number: number,
    width?: number,
  ): Promise<{
    file: MediaFile;
    page: PageInfo;
    etag: string;
    mime: string;
    resize?: { width: number; cacheName: string };
  }> {
    const { chapter, file } = await this.pageSource(chapterId);
    if (!(await this.seriesInScope(chapter))) throw notFound(`No chapter with id ${chapterId}.`);
    const page = chapter.pages[number - 1];
    if (!page)
      throw notFound(
        `Chapter ${chapterId} has pages 1 to ${chapter.pages.length}; there is no page ${number}.`,
      );
    const tag = `${String(chapter.fileId)}-${page.name}`;
    if (servedAsStored(page, width)) return { file, page, etag: `"${tag}"`, mime: pageMime(page) };
    const snapped = snapWidth(width!);
    return {
      file,
      page,
      etag: `"${tag}-w${snapped}"`,
      mime: pageMime(page, snapped),
      resize: {
        width: snapped,
        cacheName: `${String(chapter.fileId)}-${page.name.replace(/\.\w+$/, '')}-w${snapped}.webp`,
      },
    };
  }

  /** Resizes a page to a listed width and keeps it (best effort: the reader gets the bytes anyway). */
  private async resize(
    file: MediaFile,
    page: PageInfo,
    number: number,
    width: number,
    cacheName: string,
  ): Promise<Buffer> {
    const original = await this.original(file, page);
    // Loaded on the first page resized here: a reader's pages are mostly cache hits (or nginx's).
    const { default: sharp } = await import('sharp');
    let resized: Buffer;
    try {
      resized = await sharp(original, { limitInputPixels: 100_000_000 })
        .resize({ width, withoutEnlargement: true })
        .webp({ quality: 82 })
        .toBuffer();
    } catch (error) {
      throw new UnreadablePageError(number, (error as Error).message);
    }
    await this.cache
      .put(cacheName, resized)
      .catch((error: Error) => this.logger.warn(`resized page ${cacheName} not kept: ${error.message}`));
    return resized;
  }

  /** The chapter's whole CBZ (an OPDS download), as stored. */
  async archive(chapterId: string): Promise<{ open: () => Readable; size: number; fileName: string }> {
    const chapter = await this.chapter(chapterId);
    // The chapter's series decided the scope (the CBZ has no title of its own).
    const file = await this.library.requireFileUnscoped(new Types.ObjectId(chapter.fileId));
    return {
      // Opened only for a body (a HEAD needs its size alone).
      open: () => this.store.read(file.storage.parts, 0, file.size - 1),
      size: file.size,
      fileName: file.fileName,
    };
  }

  /** The page's stored bytes: from memory when read lately, else one ranged read (or via the directory). */
  private async original(file: MediaFile, page: PageInfo): Promise<Buffer> {
    const key = `${String(file._id)}/${page.name}`;
    const kept = this.hot.get(key);
    if (kept) {
      this.hot.delete(key);
      this.hot.set(key, kept);
      return kept;
    }
    const bytes =
      page.offset !== undefined && page.size !== undefined
        ? await this.reader.readSpan(file, page.offset, page.size)
        : await this.reader.read(file, page.name);
    if (bytes.length <= HOT_PAGE_BYTES / 16 && !this.hot.has(key)) {
      this.hot.set(key, bytes);
      this.hotBytes += bytes.length;
      for (const [oldest, buffer] of this.hot) {
        if (this.hotBytes <= HOT_PAGE_BYTES) break;
        this.hot.delete(oldest);
        this.hotBytes -= buffer.length;
      }
    }
    return bytes;
  }

  /** Forgets what is kept of a chapter (after an admin changed or deleted it here). */
  forgetChapter(chapterId: string): void {
    this.sources.delete(chapterId);
  }

  private pageSource(chapterId: string): Promise<PageSource> {
    const now = Date.now();
    const kept = this.sources.get(chapterId);
    if (kept && kept.until > now) return kept.source;
    // Kept whatever the site (each request's scope is judged in `page`).
    const source = (async () => {
      const chapter = await this.chapters.findChapter(chapterId);
      if (!chapter) throw notFound(`No chapter with id ${chapterId}.`);
      const file = await this.library.requireFileUnscoped(new Types.ObjectId(chapter.fileId));
      return { chapter, file };
    })();
    const entry: { until: number; source: Promise<PageSource>; resolved?: PageSource } = {
      until: now + PAGE_SOURCE_TTL_MS,
      source,
    };
    source.then(
      (resolved) => (entry.resolved = resolved),
      () => this.sources.get(chapterId) === entry && this.sources.delete(chapterId),
    );
    this.sources.delete(chapterId);
    this.sources.set(chapterId, entry);
    while (this.sources.size > PAGE_SOURCES) this.sources.delete(this.sources.keys().next().value!);
    return source;
  }
}

function coverOf(series: ComicSeries | null): { chapterId: string; page: number } | undefined {
  return series?.cover ?? (series?.chapters[0] && { chapterId: series.chapters[0].id, page: 1 });
}

function coverUrl(cover: { chapterId: string; page: number }, width: number): string {
  return `/api/readvault/chapters/${encodeURIComponent(cover.chapterId)}/pages/${cover.page}?width=${width}`;
}

function notFound(message: string): AppError {
  return new AppError(404, 'not_found', message);
}
