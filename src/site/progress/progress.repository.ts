import { Injectable } from '@nestjs/common';
import { type Model } from 'mongoose';
import { MongoConnection } from '../../core/database/mongo-connection.js';
import {
  type FileProgress,
  fileProgressId,
  fileProgressSchema,
  progressItemKey,
} from './schemas/file-progress.schema.js';
import { type ViewerProfile, viewerProfileSchema } from './schemas/viewer-profile.schema.js';

/** Watch progress: per-(identity, file) documents and one profile per identity, all read by `_id`. */
@Injectable()
export class ProgressRepository {
  private readonly files: Model<FileProgress>;
  private readonly profiles: Model<ViewerProfile>;

  constructor(mongo: MongoConnection) {
    this.files = mongo.connection.model<FileProgress>('FileProgress', fileProgressSchema);
    this.profiles = mongo.connection.model<ViewerProfile>('ViewerProfile', viewerProfileSchema);
  }

  /** `itemKey`: a file id, or a chapter's key (`chapterProgressKey`). */
  findFile(identityId: string, itemKey: string): Promise<FileProgress | null> {
    return this.files.findById(fileProgressId(identityId, itemKey)).lean<FileProgress>().exec();
  }

  async saveFile(progress: Omit<FileProgress, '_id'>): Promise<void> {
    const _id = fileProgressId(progress.identityId, progressItemKey(progress));
    await this.files.replaceOne({ _id }, { _id, ...progress }, { upsert: true });
  }

  async deleteFile(identityId: string, itemKey: string): Promise<void> {
    await this.files.deleteOne({ _id: fileProgressId(identityId, itemKey) });
  }

  findProfile(identityId: string): Promise<ViewerProfile | null> {
    return this.profiles.findById(identityId).lean<ViewerProfile>().exec();
  }

  /** Whole-document write: callers hold the identity's lock (read-modify-write). */
  async saveProfile(profile: ViewerProfile): Promise<void> {
    await this.profiles.replaceOne({ _id: profile._id }, profile, { upsert: true });
  }

  async deleteProfile(identityId: string): Promise<void> {
    await this.profiles.deleteOne({ _id: identityId });
  }

  /** Guests not seen since `cutoff` (the hourly sweep; one small document per viewer). */
  async abandonedGuests(cutoff: Date, limit: number): Promise<string[]> {
    const found = await this.profiles
      .find({ guest: true, updatedAt: { $lt: cutoff } }, { _id: 1 })
      .limit(limit)
      .lean<{ _id: string }[]>()
      .exec();
    return found.map((profile) => profile._id);
  }
}
