import { Injectable } from '@nestjs/common';
import { type Model, Schema } from 'mongoose';
import { MongoConnection } from '../../core/database/mongo-connection.js';
import { RedisMutex } from '../../core/redis/redis-mutex.js';
import { type MusicTrack } from './music.schema.js';

/**
 * A stored cover file and the albums it is the cover of (the album's own, or one of its tracks'):
 * `_id` is the cover file's id, so `/stream/<fileId>` of a cover finds its albums with one `_id` read.
 * One file can serve several albums (covers are stored once per content).
 */
export interface MusicCover {
  _id: string;
  albumIds: string[];
}

const musicCoverSchema = new Schema<MusicCover>(
  {
    _id: { type: String, required: true },
    albumIds: { type: [String], default: [] },
  },
  { collection: 'music_covers', versionKey: false },
);

/** The marker written once every album filed before the collection existed has its covers in it. */
const BACKFILLED = '~backfilled';

/**
 * The cover files an album uses: its own and its tracks' (a track's embedded picture can differ). A
 * record read back may lack its tracks (an album written by hand, a projection).
 */
export function coverFilesOf(
  album: { coverFileId?: string; tracks?: readonly Pick<MusicTrack, 'coverFileId'>[] } | null,
): string[] {
  if (!album) return [];
  const ids = [album.coverFileId, ...(album.tracks ?? []).map((track) => track.coverFileId)];
  return [...new Set(ids.filter((id): id is string => typeof id === 'string' && id !== ''))];
}

/**
 * Cover file → albums, kept in step with the albums by whoever files them. Each cover's list changes
 * under a Redis lock: FerretDB applies `$addToSet` as a separate read and write, so two albums sharing
 * a cover could otherwise lose one of the two.
 */
@Injectable()
export class MusicCoverRepository {
  private readonly model: Model<MusicCover>;

  constructor(
    mongo: MongoConnection,
    private readonly mutex: RedisMutex,
  ) {
    this.model = mongo.connection.model<MusicCover>('MusicCover', musicCoverSchema);
  }

  /** The albums whose cover this file is; undefined for a file that is no known album's cover. */
  async albumsOf(fileId: string): Promise<string[] | undefined> {
    if (fileId === BACKFILLED) return undefined;
    const found = await this.model.findById(fileId).lean<MusicCover>().exec();
    return found?.albumIds;
  }

  /** The album uses these cover files (idempotent). */
  async link(albumId: string, fileIds: readonly string[]): Promise<void> {
    for (const fileId of fileIds) {
      await this.mutex.withLock(`music-cover:${fileId}`, async () => {
        await this.model.updateOne({ _id: fileId }, { $addToSet: { albumIds: albumId } }, { upsert: true });
      });
    }
  }

  /** The album no longer uses these cover files. */
  async unlink(albumId: string, fileIds: readonly string[]): Promise<void> {
    for (const fileId of fileIds) {
      await this.mutex.withLock(`music-cover:${fileId}`, async () => {
        await this.model.updateOne({ _id: fileId }, { $pull: { albumIds: albumId } });
      });
    }
  }

  async backfilled(): Promise<boolean> {
    return (await this.model.exists({ _id: BACKFILLED })) !== null;
  }

  async markBackfilled(): Promise<void> {
    await this.model.updateOne({ _id: BACKFILLED }, { $setOnInsert: { albumIds: [] } }, { upsert: true });
  }
}
