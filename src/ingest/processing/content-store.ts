import { Inject, Injectable, Logger } from '@nestjs/common';
import { RedisMutex } from '../../core/redis/redis-mutex.js';
import { MEDIA_STORE, type MediaStore, type StoredPart } from '../../core/storage/media-store.js';
import { LibraryService } from '../../library/library.service.js';
import { type NewMediaFile } from '../../library/media-file.repository.js';
import { type MediaFile } from '../../library/schemas/media-file.schema.js';

export interface StoreRequest {
  sha256: string;
  path: string;
  name: string;
  /** Stable name of the upload (task + item), so a repeat replaces rather than duplicates. */
  key: string;
  /** Parts an interrupted upload already stored (what `onUploaded` last recorded). */
  uploaded: readonly StoredPart[];
  /** Records, after each new part is stored, the upload's parts so far: the next try's `uploaded`. */
  onUploaded: (parts: StoredPart[]) => Promise<void>;
  /** What the file record says besides where the bytes are, their size and their checksum. */
  facts: FileFacts;
}

/**
 * Puts a part the store just stored at its place in the upload: after the last when resuming, first
 * when the store started over (the earlier attempt's parts, deleted by then, must not be resumed from).
 */
function placePart(parts: StoredPart[], part: StoredPart, index: number): void {
  parts.splice(index, parts.length - index, part);
}

/** A new file record's own fields; `storeOnce` adds its storage, size and checksum. */
export type FileFacts = Omit<NewMediaFile, 'storage' | 'size' | 'checksum'>;

/** How long one store may hold a content lock between renewals; a crashed holder frees it this fast. */
const LOCK_TTL_MS = 15_000;
/** A second copy of the same content waits for the first to be stored (a long upload, on Telegram). */
const LOCK_WAIT_MS = 6 * 3600 * 1000;

/**
 * Stores content once: under a lock on its SHA-256 (per store), a file already holding the content
 * is reused; otherwise the bytes are stored and the file registered before the lock is released, so
 * two tasks (or two items) with the same content at the same moment end with one stored object.
 */
@Injectable()
export class ContentStore {
  private readonly logger = new Logger('ingest');

  constructor(
    @Inject(MEDIA_STORE) private readonly store: MediaStore,
    private readonly library: LibraryService,
    private readonly mutex: RedisMutex,
  ) {}

  async storeOnce(request: StoreRequest): Promise<{ file: MediaFile; reused: boolean }> {
    return this.mutex.withLock(
      `content:${this.store.kind}:${request.sha256}`,
      async () => {
        const same = await this.library.findFileByChecksum(request.sha256, this.store.kind);
        if (same) {
          await this.dropStrays(request.uploaded, same);
          return { file: same, reused: true };
        }
        const uploaded = [...request.uploaded];
        const parts = await this.store.put(request.path, request.name, {
          key: request.key,
          done: request.uploaded,
          onPart: async (part, index) => {
            placePart(uploaded, part, index);
            await request.onUploaded([...uploaded]);
          },
          referenced: (refs) => this.library.referencedParts(refs),
        });
        const file = await this.library.registerFile({
          ...request.facts,
          storage: { kind: this.store.kind, parts },
          size: parts.reduce((sum, part) => sum + part.size, 0),
          checksum: { sha256: request.sha256 },
        });
        return { file, reused: false };
      },
      { ttlMs: LOCK_TTL_MS, waitMs: LOCK_WAIT_MS, renew: true, maxPollMs: 1000 },
    );
  }

  /** Parts an earlier run stored before the same content was registered by someone else: not kept twice. */
  private async dropStrays(uploaded: readonly StoredPart[], kept: MediaFile): Promise<void> {
    const referenced = new Set(kept.storage.parts.map((part) => part.ref));
    for (const part of uploaded) {
      if (referenced.has(part.ref)) continue;
      await this.store.delete(part.ref).catch((error: unknown) => {
        this.logger.warn(`could not remove the stray copy ${part.ref}: ${(error as Error).message}`);
      });
    }
  }
}
