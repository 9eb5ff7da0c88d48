import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { type Model, type Types } from 'mongoose';
import { isDuplicateKeyError, MongoConnection } from '../core/database/mongo-connection.js';
import { MediaFileRepository } from './media-file.repository.js';
import { BACKFILLED, type ContentKey, contentKeySchema } from './schemas/content-key.schema.js';
import { type MediaFile } from './schemas/media-file.schema.js';

/** Content identity of stored files (see ContentKey), kept beside `media_files`. */
@Injectable()
export class ContentKeyRepository implements OnApplicationBootstrap {
  private readonly logger = new Logger('library');
  private readonly model: Model<ContentKey>;
  private backfilled = false;

  constructor(
    mongo: MongoConnection,
    private readonly files: MediaFileRepository,
  ) {
    this.model = mongo.connection.model<ContentKey>('ContentKey', contentKeySchema);
  }

  /** Files registered before content keys existed get theirs, once per install, in the background. */
  onApplicationBootstrap(): void {
    void this.backfill().catch((error: unknown) =>
      this.logger.warn(`content keys not backfilled yet: ${(error as Error).message}`),
    );
  }

  /** The file holding `sha256` in that store, or null. */
  async find(sha256: string, storageKind: MediaFile['storage']['kind']): Promise<MediaFile | null> {
    const key = await this.model.findById(keyOf(storageKind, sha256)).lean<ContentKey>().exec();
    if (key) {
      const file = await this.files.findById(key.fileId);
      if (file) return file;
      await this.model.deleteOne({ _id: key._id }); // the file was deleted since
      return null;
    }
    // Until every older file has its key, a miss here is not yet a miss.
    if (this.backfilled || (await this.model.exists({ _id: BACKFILLED }))) {
      this.backfilled = true;
      return null;
    }
    return this.files.findByChecksum(sha256, storageKind);
  }

  async remember(file: Pick<MediaFile, '_id' | 'checksum' | 'storage'>): Promise<void> {
    if (!file.checksum?.sha256) return;
    try {
      await this.model.create({
        _id: keyOf(file.storage.kind, file.checksum.sha256),
        fileId: file._id,
        createdAt: new Date(),
      });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error; // the first file with the content keeps the key
    }
  }

  async forget(fileIds: Types.ObjectId[]): Promise<void> {
    if (fileIds.length > 0) await this.model.deleteMany({ fileId: { $in: fileIds } });
  }

  private async backfill(): Promise<void> {
    if (await this.model.exists({ _id: BACKFILLED })) return;
    for (const kind of ['local', 'telegram'] as const) {
      for await (const file of this.files.each(kind)) await this.remember(file);
    }
    await this.model.updateOne(
      { _id: BACKFILLED },
      { $setOnInsert: { fileId: null, createdAt: new Date() } },
      { upsert: true, strict: false },
    );
  }
}

function keyOf(storageKind: string, sha256: string): string {
  return `${storageKind}:${sha256}`;
}
