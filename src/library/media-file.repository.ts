import { Injectable, Logger } from '@nestjs/common';
import { type Model, type Types } from 'mongoose';
import { findEachById } from '../core/database/find-each-by-id.js';
import { MongoConnection } from '../core/database/mongo-connection.js';
import { type FileCard, toFileCard } from './file-card.js';
import { FileCardRepository } from './file-card.repository.js';
import { FileTotalsRepository } from './file-totals.repository.js';
import { type MediaFile, mediaFileSchema, type StoragePart } from './schemas/media-file.schema.js';

/** Records per batch of a whole-collection scan (the recount). */
const SCAN_BATCH = 1000;

export type NewMediaFile = Omit<MediaFile, '_id' | 'createdAt' | 'updatedAt'>;

/**
 * The media_files collection. Every write that adds or removes records also moves the file totals
 * (FileTotalsRepository) by what it did, so counting the library never scans it; every write that
 * changes what a file list shows stores the file's new card (FileCardRepository), so a title page
 * reads its files' cards in one Redis round trip.
 */
@Injectable()
export class MediaFileRepository {
  private readonly logger = new Logger('library');
  private readonly model: Model<MediaFile>;

  constructor(
    mongo: MongoConnection,
    private readonly totals: FileTotalsRepository,
    private readonly cards: FileCardRepository,
  ) {
    this.model = mongo.connection.model<MediaFile>('MediaFile', mediaFileSchema);
  }

  findById(id: Types.ObjectId): Promise<MediaFile | null> {
    return this.model.findById(id).lean<MediaFile>().exec();
  }

  findByIds(ids: Types.ObjectId[]): Promise<MediaFile[]> {
    return findEachById(this.model, ids);
  }

  /**
   * The cards of these files, in the order given, missing files skipped: one Redis read, then an
   * `_id` lookup for each file without a card (which stores its card). Without Redis, all by `_id`.
   */
  async cardsByIds(ids: readonly Types.ObjectId[]): Promise<FileCard[]> {
    let held: (FileCard | undefined)[];
    try {
      held = await this.cards.get(ids.map(String));
    } catch (error) {
      this.logger.warn(`file cards unreadable, reading the files: ${(error as Error).message}`);
      return (await this.findByIds([...ids])).map((file) => toFileCard(file).card);
    }
    const missing = ids.filter((_, i) => held[i] === undefined);
    if (missing.length === 0) return held as FileCard[];
    const read = await this.findByIds(missing);
    const filled = read.map(toFileCard);
    await this.storeCards(filled);
    const byId = new Map(filled.map(({ card }) => [String(card._id), card]));
    return ids
      .map((id, i) => held[i] ?? byId.get(String(id)))
      .filter((card): card is FileCard => card !== undefined);
  }

  /** A stored file with exactly this content in the given store, if the library holds one. */
  findByChecksum(sha256: string, storageKind: MediaFile['storage']['kind']): Promise<MediaFile | null> {
    return this.model
      .findOne({ 'checksum.sha256': sha256, 'storage.kind': storageKind })
      .lean<MediaFile>()
      .exec();
  }

  findByTitle(titleId: Types.ObjectId): Promise<MediaFile[]> {
    return this.model.find({ titleId }).lean<MediaFile[]>().exec();
  }

  /**
   * Counts every record and sums their sizes: a scan, for the recount only (FileTotals answers the
   * figures from counters). Summed here: FerretDB 1.24's `$group` answers `$sum: '$size'` with 0.
   */
  async sumSizes(): Promise<{ files: number; bytes: number }> {
    let files = 0;
    let bytes = 0;
    // Small batches, and a turn of the event loop after each: at 1M records the driver's default
    // batches (up to 16 MB each) decoded for tens of milliseconds at a time, holding up every request
    // this process answered beside the recount.
    const cursor = this.model
      .find({}, { size: 1 })
      .batchSize(SCAN_BATCH)
      .lean<Pick<MediaFile, 'size'>>()
      .cursor();
    for await (const file of cursor) {
      files++;
      bytes += file.size ?? 0;
      if (files % SCAN_BATCH === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    return { files, bytes };
  }

  /** A page of files in one store, newest first (admin explorer). */
  list(storageKind: MediaFile['storage']['kind'], offset: number, limit: number): Promise<MediaFile[]> {
    return this.model
      .find({ 'storage.kind': storageKind })
      .sort({ _id: -1 })
      .skip(offset)
      .limit(limit)
      .lean<MediaFile[]>()
      .exec();
  }

  /** Every file, one at a time (orphan and dangling checks walk the whole index). */
  each(storageKind: MediaFile['storage']['kind']): AsyncIterable<MediaFile> {
    return this.model.find({ 'storage.kind': storageKind }).lean<MediaFile>().cursor();
  }

  /** Whether any file points at this stored object (a part, a still, its sample or a subtitle). */
  async references(ref: string): Promise<boolean> {
    const paths = [
      'storage.parts.ref',
      'screenshots.ref',
      'sample.ref',
      'streams.subtitles.vtt.ref',
      'streams.subtitles.external.part.ref',
    ];
    const filter = { $or: paths.map((path) => ({ [path]: ref })) };
    return (await this.model.findOne(filter, { _id: 1 }).lean().exec()) !== null;
  }

  async rename(id: Types.ObjectId, fileName: string): Promise<boolean> {
    return (await this.changeCard(id, { $set: { fileName } })) !== null;
  }

  /** Inserts complete documents as given, in one round trip (bulk import). */
  async insertPrepared(files: MediaFile[]): Promise<void> {
    if (files.length === 0) return;
    try {
      await this.model.collection.insertMany(files, { ordered: false });
    } catch (error) {
      // Some may have gone in (unordered): which ones is not worth working out for a counter.
      await this.countersUnknown();
      throw error;
    }
    await this.count(files.length, sizeOf(files));
    await this.storeCards(files.map(toFileCard));
  }

  async insert(file: NewMediaFile): Promise<MediaFile> {
    const created = (await this.model.create(file)).toObject<MediaFile>();
    await this.count(1, created.size ?? 0);
    await this.storeCards([toFileCard(created)]);
    return created;
  }

  async setPlacement(id: Types.ObjectId, titleId: Types.ObjectId, season?: number, episodes: number[] = []) {
    await this.changeCard(id, { $set: { titleId, season, episodes } });
  }

  /**
   * Deletes these records and returns them as they were when deleted (one at a time, so a stored
   * object written to a record after it was read is not lost: the caller sees it). Those someone else
   * deleted first are left out; the deleted ones' sizes leave the totals.
   */
  async deleteMany(files: readonly Pick<MediaFile, '_id'>[]): Promise<MediaFile[]> {
    const ids = [...new Set(files.map((file) => String(file._id)))];
    const deleted: MediaFile[] = [];
    for (const id of ids) {
      const gone = await this.model.findOneAndDelete({ _id: id }).lean<MediaFile>().exec();
      if (gone) deleted.push(gone);
    }
    if (deleted.length > 0) await this.count(-deleted.length, -sizeOf(deleted));
    await this.cards.remove(ids).catch((error: Error) => {
      this.logger.warn(`file cards not removed for ${ids.length} file(s): ${error.message}`);
    });
    return deleted;
  }

  /**
   * Remembers where the WebVTT rendition of subtitle track `track` (its position) is stored; false
   * when the file (or the track) is gone.
   */
  async setSubtitleVtt(id: Types.ObjectId, track: number, vtt: StoragePart): Promise<boolean> {
    const file = await this.findById(id);
    if (!file?.streams.subtitles[track]) return false;
    const subtitles = file.streams.subtitles.map((s, i) => (i === track ? { ...s, vtt } : s));
    const { matchedCount } = await this.model.updateOne(
      { _id: id },
      { $set: { 'streams.subtitles': subtitles } },
    );
    return matchedCount === 1;
  }

  async setSubtitles(id: Types.ObjectId, subtitles: MediaFile['streams']['subtitles']): Promise<void> {
    await this.changeCard(id, { $set: { 'streams.subtitles': subtitles } });
  }

  /** Records what probing found (duration, tracks). */
  async setProbe(
    id: Types.ObjectId,
    probe: Pick<MediaFile, 'streams'> & { duration?: number },
  ): Promise<void> {
    await this.changeCard(id, { $set: probe });
  }

  /** Records the stills and sample made for the file; false when the file is gone. */
  async setArtifacts(
    id: Types.ObjectId,
    artifacts: Pick<MediaFile, 'screenshots' | 'sample'>,
  ): Promise<boolean> {
    return (await this.changeCard(id, { $set: artifacts })) !== null;
  }

  /**
   * An update that changes what the file's card shows: the revision goes up with it, and the card
   * of the file as updated is stored. Null when there is no such file.
   */
  private async changeCard(
    id: Types.ObjectId,
    update: { $set: Record<string, unknown> },
  ): Promise<MediaFile | null> {
    const updated = await this.model
      .findOneAndUpdate({ _id: id }, { ...update, $inc: { revision: 1 } }, { returnDocument: 'after' })
      .lean<MediaFile>()
      .exec();
    if (updated) await this.storeCards([toFileCard(updated)]);
    return updated;
  }

  /** Stores cards; a failure drops them instead (a stale card must not stay), never fails the write. */
  private async storeCards(cards: Parameters<FileCardRepository['put']>[0]): Promise<void> {
    try {
      await this.cards.put(cards);
    } catch (error) {
      this.logger.warn(`file cards not stored for ${cards.length} file(s): ${(error as Error).message}`);
      await this.cards.forget(cards.map(({ card }) => String(card._id))).catch(() => undefined);
    }
  }

  /** Moves the totals by a write's effect; a failure leaves them to the next recount, never fails the write. */
  private async count(files: number, bytes: number): Promise<void> {
    try {
      await this.totals.add(files, bytes);
    } catch (error) {
      this.logger.warn(`file totals not updated (${files} file(s)): ${(error as Error).message}`);
      await this.countersUnknown();
    }
  }

  private async countersUnknown(): Promise<void> {
    await this.totals.invalidate().catch((error: Error) => {
      this.logger.warn(`file totals could not be marked for a recount: ${error.message}`);
    });
  }
}

function sizeOf(files: readonly Pick<MediaFile, 'size'>[]): number {
  return files.reduce((sum, file) => sum + (file.size ?? 0), 0);
}
