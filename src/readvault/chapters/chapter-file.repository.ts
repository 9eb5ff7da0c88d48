import { Injectable } from '@nestjs/common';
import { type Model, Schema, Types } from 'mongoose';
import { MongoConnection } from '../../core/database/mongo-connection.js';
import { RedisMutex } from '../../core/redis/redis-mutex.js';
import { ChapterRepository } from './chapter.repository.js';

/** Which chapters read their pages from one stored CBZ; `_id` is the file's id. */
interface ChapterFileUsers {
  _id: string;
  chapterIds: string[];
  updatedAt: Date;
}

const chapterFileUsersSchema = new Schema<ChapterFileUsers>(
  {
    _id: { type: String, required: true },
    chapterIds: { type: [String], default: [] },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'comic_file_users', versionKey: false },
);

/**
 * The chapters using each stored CBZ. A CBZ is stored once per content, so several chapters can read
 * the same file (the same pages filed in two series, a retried task); its bytes go only when the last
 * of them goes. Every change to a file's users, and the deletion that follows the last one, runs
 * under that file's Redis lock, so a chapter filed on a reused file and a deletion cannot cross.
 */
@Injectable()
export class ChapterFileRepository {
  private readonly users: Model<ChapterFileUsers>;

  constructor(
    mongo: MongoConnection,
    private readonly mutex: RedisMutex,
    private readonly chapters: ChapterRepository,
  ) {
    this.users = mongo.connection.model<ChapterFileUsers>('ChapterFileUsers', chapterFileUsersSchema);
  }

  /** The chapters recorded as using the file (for chapters filed before this was kept: looked up). */
  async usersOf(fileId: Types.ObjectId): Promise<string[]> {
    const found = await this.users.findById(String(fileId)).lean<ChapterFileUsers>().exec();
    if (found) return found.chapterIds;
    return (await this.chapters.findByFile(fileId)).map((chapter) => chapter._id);
  }

  /**
   * Records chapters as users of a file, once `stillStored` confirms its record is there (a deletion
   * may have taken it between storing and filing); false when it is not, and nothing is recorded.
   * Only a `reused` file (stored before, by content) can have users that were never recorded.
   */
  async attach(
    fileId: Types.ObjectId,
    chapterIds: readonly string[],
    { reused, stillStored }: { reused: boolean; stillStored: () => Promise<boolean> },
  ): Promise<boolean> {
    return this.mutex.withLock(lockName(fileId), async () => {
      if (!(await stillStored())) return false;
      const known = reused ? await this.usersOf(fileId) : await this.recorded(fileId);
      const users = new Set([...known, ...chapterIds]);
      await this.save(fileId, [...users]);
      return true;
    });
  }

  /**
   * Drops a chapter from the file's users; when none is left, `whenUnused` runs (deleting the file)
   * under the same lock, then the record goes. Returns whether the file was unused.
   */
  async detach(fileId: Types.ObjectId, chapterId: string, whenUnused: () => Promise<void>): Promise<boolean> {
    return this.mutex.withLock(lockName(fileId), async () => {
      const users = (await this.usersOf(fileId)).filter((id) => id !== chapterId);
      if (users.length > 0) {
        await this.save(fileId, users);
        return false;
      }
      await whenUnused();
      await this.users.deleteOne({ _id: String(fileId) });
      return true;
    });
  }

  private async recorded(fileId: Types.ObjectId): Promise<string[]> {
    return (await this.users.findById(String(fileId)).lean<ChapterFileUsers>().exec())?.chapterIds ?? [];
  }

  private async save(fileId: Types.ObjectId, chapterIds: string[]): Promise<void> {
    await this.users.replaceOne(
      { _id: String(fileId) },
      { _id: String(fileId), chapterIds, updatedAt: new Date() },
      { upsert: true },
    );
  }
}

function lockName(fileId: Types.ObjectId): string {
  return `comic-file:${String(fileId)}`;
}
