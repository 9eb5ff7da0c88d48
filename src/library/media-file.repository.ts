import { Injectable } from '@nestjs/common';
import { type Model, type Types } from 'mongoose';
import { findEachById } from '../core/database/find-each-by-id.js';
import { MongoConnection } from '../core/database/mongo-connection.js';
import { type MediaFile, mediaFileSchema, type StoragePart } from './schemas/media-file.schema.js';

export type NewMediaFile = Omit<MediaFile, '_id' | 'createdAt' | 'updatedAt'>;

@Injectable()
export class MediaFileRepository {
  private readonly model: Model<MediaFile>;

  constructor(mongo: MongoConnection) {
    this.model = mongo.connection.model<MediaFile>('MediaFile', mediaFileSchema);
  }

  findById(id: Types.ObjectId): Promise<MediaFile | null> {
    return this.model.findById(id).lean<MediaFile>().exec();
  }

  findByIds(ids: Types.ObjectId[]): Promise<MediaFile[]> {
    return findEachById(this.model, ids);
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
   * How many files are indexed and their total size. Summed here: FerretDB 1.24's `$group` answers
   * `$sum: '$size'` with 0.
   */
  async totals(): Promise<{ files: number; bytes: number }> {
    let files = 0;
    let bytes = 0;
    for await (const file of this.model.find({}, { size: 1 }).lean<Pick<MediaFile, 'size'>>().cursor()) {
      files++;
      bytes += file.size ?? 0;
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

  async rename(id: Types.ObjectId, fileName: string): Promise<boolean> {
    return (await this.model.updateOne({ _id: id }, { $set: { fileName } })).matchedCount > 0;
  }

  /** Inserts complete documents as given, in one round trip (bulk import). */
  async insertPrepared(files: MediaFile[]): Promise<void> {
    if (files.length > 0) await this.model.collection.insertMany(files, { ordered: false });
  }

  async insert(file: NewMediaFile): Promise<MediaFile> {
    return (await this.model.create(file)).toObject<MediaFile>();
  }

  async setPlacement(id: Types.ObjectId, titleId: Types.ObjectId, season?: number, episodes: number[] = []) {
    await this.model.updateOne({ _id: id }, { $set: { titleId, season, episodes } });
  }

  async deleteMany(ids: Types.ObjectId[]): Promise<void> {
    if (ids.length > 0) await this.model.deleteMany({ _id: { $in: ids } });
  }

  /** Remembers where the WebVTT rendition of subtitle track `track` (its position) is stored. */
  async setSubtitleVtt(id: Types.ObjectId, track: number, vtt: StoragePart): Promise<void> {
    const file = await this.findById(id);
    if (!file?.streams.subtitles[track]) return;
    const subtitles = file.streams.subtitles.map((s, i) => (i === track ? { ...s, vtt } : s));
    await this.model.updateOne({ _id: id }, { $set: { 'streams.subtitles': subtitles } });
  }

  async setSubtitles(id: Types.ObjectId, subtitles: MediaFile['streams']['subtitles']): Promise<void> {
    await this.model.updateOne({ _id: id }, { $set: { 'streams.subtitles': subtitles } });
  }

  /** Records what probing found (duration, tracks). */
  async setProbe(
    id: Types.ObjectId,
    probe: Pick<MediaFile, 'streams'> & { duration?: number },
  ): Promise<void> {
    await this.model.updateOne({ _id: id }, { $set: probe });
  }

  /** Records the stills and sample made for the file. */
  async setArtifacts(
    id: Types.ObjectId,
    artifacts: Pick<MediaFile, 'screenshots' | 'sample'>,
  ): Promise<void> {
    await this.model.updateOne({ _id: id }, { $set: artifacts });
  }
}
