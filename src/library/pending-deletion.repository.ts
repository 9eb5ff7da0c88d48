import { Injectable } from '@nestjs/common';
import { type Model } from 'mongoose';
import { MongoConnection } from '../core/database/mongo-connection.js';
import { type MediaFile } from './schemas/media-file.schema.js';
import { type PendingDeletion, pendingDeletionSchema } from './schemas/pending-deletion.schema.js';

@Injectable()
export class PendingDeletionRepository {
  private readonly model: Model<PendingDeletion>;

  constructor(mongo: MongoConnection) {
    this.model = mongo.connection.model<PendingDeletion>('PendingDeletion', pendingDeletionSchema);
  }

  /** Records every stored object of `files` (parts, stills, sample, WebVTT); idempotent per object. */
  async recordFiles(files: MediaFile[], reason: string): Promise<void> {
    const now = new Date();
    const operations = files.flatMap((file) =>
      [
        ...file.storage.parts.map((part) => part.ref),
        ...file.screenshots.map((shot) => shot.ref),
        ...(file.sample ? [file.sample.ref] : []),
        ...file.streams.subtitles.flatMap((track) => (track.vtt?.ref ? [track.vtt.ref] : [])),
        ...file.streams.subtitles.flatMap((track) => (track.external ? [track.external.part.ref] : [])),
      ].map((ref) => ({
        updateOne: {
          filter: { _id: `${file.storage.kind}:${ref}` },
          update: {
            $setOnInsert: {
              storageKind: file.storage.kind,
              ref,
              fileId: String(file._id),
              reason,
              attempts: 0,
              createdAt: now,
            },
          },
          upsert: true,
        },
      })),
    );
    if (operations.length > 0) await this.model.bulkWrite(operations, { ordered: false });
  }

  /** Records stored objects that belong to no file (artwork); idempotent per object. */
  async recordObjects(
    storageKind: PendingDeletion['storageKind'],
    refs: string[],
    reason: string,
  ): Promise<void> {
    const now = new Date();
    const operations = refs.map((ref) => ({
      updateOne: {
        filter: { _id: `${storageKind}:${ref}` },
        update: { $setOnInsert: { storageKind, ref, reason, attempts: 0, createdAt: now } },
        upsert: true,
      },
    }));
    if (operations.length > 0) await this.model.bulkWrite(operations, { ordered: false });
  }

  /**
   * Entries of one store whose next attempt is due, fewest attempts first (a stuck entry does not block
   * the rest), leaving out `except` (those a run has already tried).
   */
  due(
    storageKind: PendingDeletion['storageKind'],
    limit: number,
    now: Date,
    except: Iterable<string> = [],
  ): Promise<PendingDeletion[]> {
    return this.model
      .find({
        storageKind,
        _id: { $nin: [...except] },
        $or: [{ nextAttemptAt: { $exists: false } }, { nextAttemptAt: { $lte: now } }],
      })
      .sort({ attempts: 1, createdAt: 1 })
      .limit(limit)
      .lean<PendingDeletion[]>()
      .exec();
  }

  async done(id: string): Promise<void> {
    await this.model.deleteOne({ _id: id });
  }

  async failed(id: string, error: string, nextAttemptAt: Date): Promise<void> {
    await this.model.updateOne(
      { _id: id },
      { $inc: { attempts: 1 }, $set: { lastError: error.slice(0, 500), nextAttemptAt } },
    );
  }

  count(): Promise<number> {
    return this.model.countDocuments().exec();
  }

  list(limit = 100): Promise<PendingDeletion[]> {
    return this.model.find().sort({ createdAt: 1 }).limit(limit).lean<PendingDeletion[]>().exec();
  }
}
