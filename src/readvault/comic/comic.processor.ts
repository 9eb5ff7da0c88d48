import { rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Types } from 'mongoose';
import { APP_CONFIG, type AppConfig } from '../../core/config/app-config.js';
import { type ComicItemInfo } from '../../ingest/items/ingest-item.js';
import { pathInSource } from '../../ingest/items/path-in-source.js';
import { sha256File } from '../../ingest/processing/checksum.js';
import { ContentStore } from '../../ingest/processing/content-store.js';
import {
  type ItemContext,
  type MediaKindProcessor,
  resumedAsStored,
} from '../../ingest/processors/media-kind-processor.js';
import { LibraryService } from '../../library/library.service.js';
import { EnrichmentRequests } from '../../library/metadata/enrichment-requests.js';
import { writeCbz } from '../archive/cbz-writer.js';
import { ChapterFileRepository } from '../chapters/chapter-file.repository.js';
import { ChapterRepository } from '../chapters/chapter.repository.js';
import { type Chapter } from '../chapters/chapter.schema.js';
import { parseChapterPath } from './chapter-name.js';
import { comicLimits, extractComic } from './comic-extractor.js';
import { type ComicInfo, parseComicInfo } from './comic-info.js';

export const CBZ_MIME = 'application/vnd.comicbook+zip';

/**
 * Comics and manga (the `comic` kind): a CBZ/ZIP, CBR, CB7, PDF or folder of images becomes a CBZ
 * that stores its pages (no recompression), stored once per content like a video, and is filed as a
 * chapter of its series (kind `manga` in the library) from its ComicInfo.xml or its name.
 */
@Injectable()
export class ComicProcessor implements MediaKindProcessor {
  readonly kind = 'comic' as const;
  readonly stage = 'main' as const;
  private readonly logger = new Logger('readvault');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly content: ContentStore,
    private readonly library: LibraryService,
    private readonly chapters: ChapterRepository,
    private readonly files: ChapterFileRepository,
    private readonly enrichment: EnrichmentRequests,
  ) {}

  async process(context: ItemContext): Promise<void> {
    if (await resumedAsStored(context)) return;
    const work = `${context.path}.readvault`;
    await rm(work, { recursive: true, force: true });
    try {
      const limits = comicLimits(context.item.size, this.config.readvault.maxPageBytes);
      const extracted = await extractComic(context.path, work, limits, context.signal);
      const digits = Math.max(4, String(extracted.pages.length).length);
      const pages = extracted.pages.map((page, index) => ({
        ...page,
        name: `${String(index + 1).padStart(digits, '0')}.${page.ext}`,
      }));
      const cbz = join(work, 'chapter.cbz');
      const spans = await writeCbz(cbz, pages, extracted.comicInfo);
      const placed = pages.map((page, index) => ({
        ...page,
        offset: spans[index].offset,
        size: spans[index].size,
      }));
      const comic = describe(context, extracted.format, placed, extracted.comicInfo, this.logger);
      const checksum = await sha256File(cbz, context.signal);
      const name = `${displayName(comic)}.cbz`;
      const { file, reused } = await this.content.storeOnce({
        sha256: checksum,
        path: cbz,
        name,
        key: `${context.task._id}-${context.index}`,
        uploaded: context.item.uploadedParts ?? [],
        onUploaded: async (uploadedParts) => {
          await context.record({ uploadedParts });
        },
        facts: {
          mime: CBZ_MIME,
          fileName: name,
          streams: { video: [], audio: [], subtitles: [] },
          screenshots: [],
          episodes: [],
        },
      });
      await context.record({
        state: 'stored',
        checksum,
        comic,
        fileId: String(file._id),
        storedParts: reused ? undefined : file.storage.parts,
        reusedFile: reused || undefined,
      });
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  /** The task's stored chapters, under their series (one title and one chapter-list rewrite per series). */
  async file(batch: readonly ItemContext[]): Promise<void> {
    const bySeries = new Map<string, ItemContext[]>();
    for (const context of batch) {
      const series = context.item.comic?.series ?? basename(context.item.name);
      const key = series.toLowerCase();
      bySeries.set(key, [...(bySeries.get(key) ?? []), context]);
    }
    const duplicates: { context: ItemContext; chapter: Chapter; kept: ItemContext }[] = [];
    const keptFiles = new Set<string>();
    for (const group of bySeries.values()) {
      const first = group[0].item.comic!;
      const title = await this.library.upsertSkeleton({ kind: 'manga', name: first.series });
      // Two items of one batch with the same key ("c012 [GroupA]" and "c012 [GroupB]") would be one
      // chapter: the first is filed, a later one fails saying which it collides with.
      const byKey = new Map<string, ItemContext>();
      const contexts: ItemContext[] = [];
      const chapters: Chapter[] = [];
      for (const context of group) {
        const chapter = this.toChapter(title._id, context);
        const kept = byKey.get(chapter._id);
        if (kept) {
          duplicates.push({ context, chapter, kept });
          continue;
        }
        byKey.set(chapter._id, context);
        contexts.push(context);
        chapters.push(chapter);
        keptFiles.add(context.item.fileId!);
      }
      const told = contexts.map(({ item }) => item.comic!).find((comic) => comic.writer || comic.summary);
      const previous = await Promise.all(chapters.map((chapter) => this.chapters.findChapter(chapter._id)));
      await this.attachFiles(chapters, contexts);
      await this.chapters.fileChapters(title._id, chapters, {
        writer: told?.writer,
        penciller: told?.penciller,
        summary: told?.summary,
        genres: contexts
          .flatMap(({ item }) => item.comic!.genres)
          .filter((g, i, all) => all.indexOf(g) === i),
        language: first.language,
        rightToLeft: contexts.some(({ item }) => item.comic!.rightToLeft),
      });
      this.logger.log(`filed ${chapters.length} chapter(s) of "${first.series}" (${String(title._id)})`);
      // A chapter filed again from different content leaves its old CBZ (deleted if nothing else uses it).
      for (const [position, old] of previous.entries()) {
        if (old && !old.fileId.equals(chapters[position].fileId)) {
          await this.files.detach(old.fileId, old._id, () =>
            this.library.deleteDetachedFiles([old.fileId], 'chapter filed again'),
          );
        }
      }
      // ComicInfo's summary and genres describe the skeleton until a catalogue does (an admin's edits
      // stay: enrich leaves locked fields alone); then Jikan's manga entry, retried while it is down.
      const genres = [...new Set([...title.genres, ...contexts.flatMap(({ item }) => item.comic!.genres)])];
      if (title.enrichment?.state !== 'matched') {
        await this.library.enrich(title._id, {
          overview: title.overview ?? told?.summary,
          genres: genres.length > 0 ? genres : undefined,
        });
        await this.enrichment.request(title._id);
      }
      for (const [position, context] of contexts.entries()) {
        await context.record({
          state: 'done',
          titleId: String(title._id),
          note: chapterNote(chapters[position]),
        });
      }
    }
    for (const { context, chapter, kept } of duplicates)
      await this.refuseDuplicate(context, chapter, kept, keptFiles);
  }

  private toChapter(seriesId: Types.ObjectId, { item }: ItemContext): Chapter {
    const comic = item.comic!;
    return {
      _id: chapterKey(String(seriesId), comic, item.fileId!),
      seriesId,
      volume: comic.volume,
      number: comic.number,
      title: comic.title,
      fileId: new Types.ObjectId(item.fileId),
      pages: comic.pages,
      sourceFormat: comic.format,
      language: comic.language,
      rightToLeft: comic.rightToLeft,
      createdAt: new Date(),
    };
  }

  /**
   * Fails a chapter that another item of the batch was filed as, and lets go of its stored CBZ like
   * any unfiled one: deleted unless a chapter reads it (the same content filed before, or by the
   * kept item).
   */
  private async refuseDuplicate(
    context: ItemContext,
    chapter: Chapter,
    kept: ItemContext,
    keptFiles: ReadonlySet<string>,
  ): Promise<void> {
    const where = chapterWhere(chapter) || 'this chapter';
    const reason = `${where} is already in this batch (${kept.item.name}); not filed twice`;
    this.logger.warn(`task ${context.task._id}: ${context.item.name}: ${reason}`);
    if (!keptFiles.has(context.item.fileId!)) {
      await this.files.detach(chapter.fileId, chapter._id, () =>
        this.library.deleteDetachedFiles([chapter.fileId], 'duplicate chapter in its batch'),
      );
    }
    // Nothing of the stored file stays with the item: sent again, it is read and stored afresh.
    const stored = {
      fileId: undefined,
      uploadedParts: undefined,
      storedParts: undefined,
      reusedFile: undefined,
    };
    await context.record({
      state: 'failed',
      error: reason,
      comic: undefined,
      checksum: undefined,
      ...stored,
    });
  }

  /**
   * Records each chapter as a user of its CBZ (several chapters may share one: stored once per
   * content), unless a deletion took the file since it was stored: then the item must be sent again.
   */
  private async attachFiles(chapters: readonly Chapter[], contexts: readonly ItemContext[]): Promise<void> {
    for (const [position, chapter] of chapters.entries()) {
      const attached = await this.files.attach(chapter.fileId, [chapter._id], {
        reused: Boolean(contexts[position].item.reusedFile),
        stillStored: () =>
          this.library.requireFileUnscoped(chapter.fileId).then(
            () => true,
            () => false,
          ),
      });
      if (!attached) {
        throw new Error(
          `the stored CBZ of ${chapterNote(chapter)} was deleted while it was being filed; send it again`,
        );
      }
    }
  }
}

/** Series, volume, chapter and title: from ComicInfo.xml where it says, else from the name. */
function describe(
  { item, task }: ItemContext,
  format: string,
  pages: { name: string; width: number; height: number; offset: number; size: number }[],
  comicInfoXml: string | undefined,
  logger: Logger,
): ComicItemInfo {
  const fromName = parseChapterPath(pathInSource(item, task.download?.fileName));
  let info: ComicInfo | undefined;
  try {
    info = comicInfoXml ? parseComicInfo(comicInfoXml) : undefined;
  } catch (error) {
    // Optional metadata: a ComicInfo.xml that cannot be read leaves the name to tell, never fails the chapter.
    logger.warn(`ComicInfo.xml of ${item.name} unreadable, filed by its name: ${(error as Error).message}`);
  }
  return {
    series: info?.series ?? fromName.series,
    volume: info?.volume ?? fromName.volume,
    number: info?.number ?? fromName.number,
    title: info?.title ?? fromName.title,
    format,
    pages: pages.map(({ name, width, height, offset, size }) => ({ name, width, height, offset, size })),
    rightToLeft: info?.rightToLeft ?? false,
    language: info?.language,
    writer: info?.writer,
    penciller: info?.penciller,
    summary: info?.summary,
    genres: info?.genres ?? [],
  };
}

function chapterKey(seriesId: string, comic: ComicItemInfo, fileId: string): string {
  const volume = comic.volume === undefined ? '-' : String(comic.volume);
  const number = comic.number === undefined ? `f${fileId}` : String(comic.number);
  return `${seriesId}:v${volume}:c${number}`;
}

function displayName(comic: ComicItemInfo): string {
  const parts = [comic.series];
  if (comic.volume !== undefined) parts.push(`v${String(comic.volume).padStart(2, '0')}`);
  if (comic.number !== undefined) parts.push(`c${String(comic.number).padStart(3, '0')}`);
  return parts.join(' ');
}

function chapterNote(chapter: Chapter): string {
  return `${chapterWhere(chapter) || 'a chapter'}, ${chapter.pages.length} pages`;
}

function chapterWhere(chapter: Chapter): string {
  return [
    chapter.volume !== undefined && `volume ${chapter.volume}`,
    chapter.number !== undefined && `chapter ${chapter.number}`,
  ]
    .filter(Boolean)
    .join(', ');
}
