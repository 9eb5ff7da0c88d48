import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { Types } from 'mongoose';
import { ExpiringMap } from '../core/util/expiring-map.js';
import { FileChangeBus } from '../library/file-change.bus.js';
import { LibraryService } from '../library/library.service.js';
import { type MediaFile } from '../library/schemas/media-file.schema.js';

const TTL_MS = 30_000;
const MAX_ENTRIES = 1000;

/**
 * File records for the byte path. A player seeks with many requests in a row and a record rarely
 * changes, so a seek skips the database; a change anywhere (a delete, a rename, new stills or tracks)
 * drops the entry at once (the library publishes it, see `FileChangeBus`). While that news cannot
 * reach this process nothing is kept, nor served from what was kept before, so a deleted file never
 * streams on. The TTL only bounds what an unnoticed edit could cost.
 */
@Injectable()
export class FileRecordCache implements OnModuleInit {
  private readonly logger = new Logger('stream');
  private readonly entries = new ExpiringMap<string, MediaFile>(MAX_ENTRIES, TTL_MS);
  /** Lookups under way: a crowd opening the same file at once costs the database one query. */
  private readonly lookups = new Map<string, Promise<MediaFile>>();
  /** Bumped by every change, so a lookup that raced with one does not cache what it read. */
  private generation = 0;

  constructor(
    private readonly library: LibraryService,
    private readonly changes: FileChangeBus,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.changes.listen((ids) => this.forget(ids));
    if (!this.changes.live) this.logger.warn('file records are not cached until Redis is reachable');
  }

  /** The record of `fileId` (a 24-hex id, checked by the caller); 404 when there is none. */
  async get(fileId: string): Promise<MediaFile> {
    // The subscription is down: a change made meanwhile would not reach us, so nothing kept is trusted.
    if (!this.changes.live) this.entries.clear();
    if (this.entries.get(fileId)) {
      // A change published before this request was sent is normally in this process's Redis socket
      // already (Redis writes it to subscribers in the pass that answers the publisher), but this poll
      // phase may have read the request first: answer from the cache after that phase, once the news
      // has been heard, so a rename or delete holds from the very next request. (A strict guarantee
      // under any load would take a round trip per request or an acknowledged publish.)
      await new Promise((resolve) => setImmediate(resolve));
      const cached = this.entries.get(fileId);
      if (cached) return cached;
    }
    let lookup = this.lookups.get(fileId);
    if (!lookup) {
      lookup = this.lookUp(fileId).finally(() => this.lookups.delete(fileId));
      this.lookups.set(fileId, lookup);
    }
    return lookup;
  }

  private async lookUp(fileId: string): Promise<MediaFile> {
    const generation = this.generation;
    // Whatever the asking site: the record is shared by every request that joins this lookup, and the
    // caller judges the scope (StreamService.file).
    const file = await this.library.requireFileUnscoped(new Types.ObjectId(fileId));
    if (this.changes.live && generation === this.generation) this.entries.set(fileId, file);
    return file;
  }

  private forget(fileIds: readonly string[] | undefined): void {
    this.generation++;
    // A lookup under way may have read the record before the change: later callers look again.
    if (!fileIds) this.lookups.clear();
    else for (const id of fileIds) this.lookups.delete(id);
    if (!fileIds) this.entries.clear();
    else for (const id of fileIds) this.entries.delete(id);
  }
}
