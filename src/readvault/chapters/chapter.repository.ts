import { Injectable } from '@nestjs/common';
import { type Model, type Types } from 'mongoose';
import { MongoConnection } from '../../core/database/mongo-connection.js';
import { RedisMutex } from '../../core/redis/redis-mutex.js';
import { chapterLinkTypes, type ChapterLinkTypes } from './chapter-link-types.js';
import { type Chapter, chapterSchema, type ComicSeries, comicSeriesSchema } from './chapter.schema.js';

/**
 * Chapters (`chapters`, keyed by their natural key) and each series' chapter list (`comic_series`,
 * keyed by the title): a series page is one read by `_id`, never a filtered scan of all chapters
 * (FerretDB's SQLite backend answers only `_id` lookups without decoding every document).
 */
@Injectable()
export class ChapterRepository {
  private readonly chapters: Model<Chapter>;
  private readonly series: Model<ComicSeries>;

  constructor(
    mongo: MongoConnection,
    private readonly mutex: RedisMutex,
  ) {
    this.chapters = mongo.connection.model<Chapter>('Chapter', chapterSchema);
    this.series = mongo.connection.model<ComicSeries>('ComicSeries', comicSeriesSchema);
  }

  findChapter(id: string): Promise<Chapter | null> {
    return this.chapters.findById(id).lean<Chapter>().exec();
  }

  /**
   * Every series' id and chapter list: a scan, only for the one-time backfill of older entries
   * (ChapterLinksBackfill), never on a read.
   */
  eachSeries(): AsyncIterable<Pick<ComicSeries, '_id' | 'chapters'>> {
    return this.series.find({}, { chapters: 1 }).lean<Pick<ComicSeries, '_id' | 'chapters'>>().cursor();
  }

  findSeries(id: Types.ObjectId): Promise<ComicSeries | null> {
    return this.series.findById(id).lean<ComicSeries>().exec();
  }

  /**
   * Changes a series' chapter list and details under its lock (read, edit, write back whole: FerretDB
   * has no positional updates); `edit` returns false to leave it as it was.
   */
  async editSeries(seriesId: Types.ObjectId, edit: (series: ComicSeries) => boolean): Promise<boolean> {
    return this.mutex.withLock(`comic-series:${String(seriesId)}`, async () => {
      const series = await this.findSeries(seriesId);
      if (!series || !edit(series)) return false;
      series.chapters = sortChapters(series.chapters);
      series.updatedAt = new Date();
      await this.series.replaceOne({ _id: seriesId }, series);
      return true;
    });
  }

  /**
   * Fills in the link types of listed chapters that lack them, under the series' lock on the list as
   * it is now (a chapter may have been filed meanwhile); returns how many. A backfill: the series'
   * `updatedAt` (what feeds say changed) stays.
   */
  async fillChapterLinks(
    seriesId: Types.ObjectId,
    links: ReadonlyMap<string, ChapterLinkTypes>,
  ): Promise<number> {
    return this.mutex.withLock(`comic-series:${String(seriesId)}`, async () => {
      const series = await this.findSeries(seriesId);
      let filled = 0;
      for (const entry of series?.chapters ?? []) {
        const found = entry.links ? undefined : links.get(entry.id);
        if (!found) continue;
        entry.links = found;
        filled++;
      }
      if (filled > 0) await this.series.replaceOne({ _id: seriesId }, series!);
      return filled;
    });
  }

  async replaceChapter(chapter: Chapter): Promise<void> {
    await this.chapters.replaceOne({ _id: chapter._id }, chapter);
  }

  async deleteChapter(id: string): Promise<void> {
    await this.chapters.deleteOne({ _id: id });
  }

  async deleteSeries(id: Types.ObjectId): Promise<void> {
    await this.series.deleteOne({ _id: id });
  }

  /**
   * Chapters reading a file: a scan, only for files whose users were never recorded (chapters filed
   * before `comic_file_users` existed), on a deletion or a re-filing, never on a read.
   */
  findByFile(fileId: Types.ObjectId): Promise<Chapter[]> {
    return this.chapters.find({ fileId }).lean<Chapter[]>().exec();
  }

  /**
   * Records chapters of one series (replacing a chapter of the same key) and rewrites its chapter
   * list in reading order, under the series' lock (FerretDB has no positional array updates).
   */
  async fileChapters(
    seriesId: Types.ObjectId,
    chapters: readonly Chapter[],
    details: Omit<ComicSeries, '_id' | 'chapters' | 'updatedAt'>,
  ): Promise<void> {
    for (const chapter of chapters) {
      await this.chapters.replaceOne({ _id: chapter._id }, chapter, { upsert: true });
    }
    await this.mutex.withLock(`comic-series:${String(seriesId)}`, async () => {
      const current = await this.findSeries(seriesId);
      const byId = new Map((current?.chapters ?? []).map((entry) => [entry.id, entry]));
      for (const chapter of chapters) {
        byId.set(chapter._id, {
          id: chapter._id,
          volume: chapter.volume,
          number: chapter.number,
          title: chapter.title,
          pageCount: chapter.pages.length,
          links: chapterLinkTypes(chapter.pages),
        });
      }
      const ordered = sortChapters([...byId.values()]);
      // Details from ComicInfo fill in; what an earlier chapter said is kept when this one is silent.
      const merged = {
        writer: details.writer ?? current?.writer,
        penciller: details.penciller ?? current?.penciller,
        summary: details.summary ?? current?.summary,
        genres: details.genres.length ? details.genres : (current?.genres ?? []),
        language: details.language ?? current?.language,
        rightToLeft: details.rightToLeft || Boolean(current?.rightToLeft),
      };
      await this.series.replaceOne(
        { _id: seriesId },
        { ...merged, cover: current?.cover, chapters: ordered, updatedAt: new Date() },
        { upsert: true },
      );
    });
  }
}

/** Reading order: volume, then chapter number (10.5 after 10), those without numbers last. */
function sortChapters(chapters: ComicSeries['chapters']): ComicSeries['chapters'] {
  return [...chapters].sort(
    (a, b) =>
      (a.volume ?? Infinity) - (b.volume ?? Infinity) ||
      (a.number ?? Infinity) - (b.number ?? Infinity) ||
      a.id.localeCompare(b.id),
  );
}
