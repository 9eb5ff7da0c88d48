import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { type Types } from 'mongoose';
import { APP_CONFIG, type AppConfig } from '../../core/config/app-config.js';
import { AppError } from '../../core/errors/app-error.js';
import { RedisMutex } from '../../core/redis/redis-mutex.js';
import { SettingsService } from '../../core/settings/settings.service.js';
import {
  MEDIA_STORE,
  type MediaStore,
  StorageUnavailableError,
  StoredObjectMissingError,
} from '../../core/storage/media-store.js';
import { formatBytes } from '../../core/util/format-units.js';
import { LibraryService } from '../../library/library.service.js';
import { freeDiskBytes } from '../admission/free-disk.js';
import { VideoTools } from '../processing/video-tools.js';

/** Held (and renewed) while one file's stills are made; a crashed worker frees it within this. */
const STILLS_LOCK_TTL_MS = 60_000;

/**
 * Worker side of "regenerate screenshots": new stills from a temporary copy of the stored file, stored
 * as new objects; the old stills are deleted once the record points at the new ones. Failures are
 * `AppError`s whose message the admin page shows as the run's outcome.
 */
@Injectable()
export class StillsMaker {
  private readonly logger = new Logger('ingest');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(MEDIA_STORE) private readonly store: MediaStore,
    private readonly library: LibraryService,
    private readonly tools: VideoTools,
    private readonly mutex: RedisMutex,
    private readonly settings: SettingsService,
  ) {}

  /** How many stills the file has now. */
  async make(id: Types.ObjectId): Promise<number> {
    // One job per file is queued at a time; the lock also covers a stalled job handed to a second
    // worker while the first still runs (two copies, one set of stills orphaned).
    const made = await this.mutex.ifFree(
      `stills:${String(id)}`,
      () => this.makeLocked(id),
      STILLS_LOCK_TTL_MS,
      {
        renew: true,
      },
    );
    if (made === undefined) {
      throw new AppError(409, 'already_running', 'New screenshots of this file are already being made.');
    }
    return made;
  }

  private async makeLocked(id: Types.ObjectId): Promise<number> {
    // Read under the lock, so a run right after another sees (and replaces) its stills.
    const file = await this.library.requireFileUnscoped(id);
    const duration = file.duration;
    if (!duration || file.streams.video.length === 0) {
      throw new AppError(409, 'not_a_video', 'This file has no video track with a known duration.');
    }
    await this.requireDiskFor(file.size);
    const dir = await mkdtemp(join(this.config.dataDir, 'explorer-'));
    try {
      const copy = join(dir, `source${extensionOf(file.fileName)}`);
      await pipeline(this.store.read(file.storage.parts, 0, file.size - 1), createWriteStream(copy)).catch(
        (error: unknown) => {
          throw unreadable(error);
        },
      );
      const shots = await this.tools.screenshots(copy, duration, dir);
      const stored = [];
      for (const [index, shot] of shots.entries()) {
        const [part] = await this.store.put(shot, `${file.fileName}.screenshot-${index + 1}.webp`);
        stored.push(part);
      }
      if (!(await this.library.setFileArtifacts(file._id, { screenshots: stored, sample: file.sample }))) {
        await this.library.discardStored(this.store.kind, stored, 'file deleted while its stills were made');
        throw new AppError(404, 'not_found', `File ${String(file._id)} was deleted meanwhile.`);
      }
      for (const old of file.screenshots) {
        await this.store.delete(old.ref).catch((error: unknown) => {
          // Left behind it is an orphan, which the admin explorer finds and deletes.
          this.logger.warn(`stills: old still ${old.ref} not deleted: ${(error as Error).message}`);
        });
      }
      this.logger.log(`stills: ${stored.length} new screenshots of ${file.fileName} (${String(file._id)})`);
      return stored.length;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** The temporary copy goes to DATA_DIR on this worker: refused rather than filling its disk. */
  private async requireDiskFor(bytes: number): Promise<void> {
    const { minFreeDiskBytes } = await this.settings.get();
    const free = await freeDiskBytes(this.config.dataDir);
    if (free - bytes < minFreeDiskBytes) {
      throw new AppError(
        507,
        'insufficient_storage',
        `Not enough disk on the worker for a temporary copy of the file: it needs ${formatBytes(bytes)} plus ${formatBytes(minFreeDiskBytes)} kept free, and ${formatBytes(free)} is free.`,
      );
    }
  }
}

function extensionOf(name: string): string {
  const match = /\.[A-Za-z0-9]{1,5}$/.exec(name);
  return match ? match[0] : '.bin';
}

/** Why a file's stored bytes could not be copied out: gone (a dangling record) or storage down for now. */
function unreadable(error: unknown): unknown {
  if (error instanceof StoredObjectMissingError) {
    return new AppError(
      409,
      'storage_missing',
      'The stored bytes of this file are missing, so no screenshots can be made; it is listed under Dangling.',
    );
  }
  if (error instanceof StorageUnavailableError) {
    return new AppError(503, 'storage_unavailable', 'Storage is unavailable right now; retry shortly.');
  }
  return error;
}
