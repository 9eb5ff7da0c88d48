import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Types } from 'mongoose';
import { APP_CONFIG, type AppConfig } from '../../core/config/app-config.js';
import { AppError } from '../../core/errors/app-error.js';
import { RedisMutex } from '../../core/redis/redis-mutex.js';
import { SettingsService } from '../../core/settings/settings.service.js';
import { LocalMediaStore, type LocalObject } from '../../core/storage/local-media-store.js';
import {
  MEDIA_STORE,
  type MediaStore,
  StorageUnavailableError,
  StoredObjectMissingError,
} from '../../core/storage/media-store.js';
import { formatBytes } from '../../core/util/format-units.js';
import { freeDiskBytes } from '../../ingest/admission/free-disk.js';
import { VideoTools } from '../../ingest/processing/video-tools.js';
import { ArtworkRepository } from '../../library/artwork/artwork.repository.js';
import { LibraryService } from '../../library/library.service.js';
import { MediaFileRepository } from '../../library/media-file.repository.js';
import { type MediaFile } from '../../library/schemas/media-file.schema.js';
import { TitleRepository } from '../../library/title.repository.js';
import { type FileObject, objectsOf } from './file-objects.js';
import { InFlightRefsRepository } from './in-flight-refs.repository.js';

/** A local object this fresh may be an upload whose record is not written yet: never an orphan. */
export const ORPHAN_MIN_AGE_MS = 60 * 60 * 1000;
/** Dangling checks ask the store about every object; bounded so a large library answers in time. */
export const DANGLING_CHECK_LIMIT = 2000;
/** Held (and renewed) while one file's stills are made; a crashed manager frees it within this. */
const STILLS_LOCK_TTL_MS = 60_000;

export interface Owner {
  fileId: string;
  fileName: string;
  role: string;
  titleId?: string;
  titleName?: string;
}

/**
 * The admin file explorer: stored objects by location and which library entry owns each, orphans
 * (local objects nothing references), dangling records (files whose stored parts are gone), and
 * upkeep on one file (display name, screenshots).
 */
@Injectable()
export class ExplorerService {
  private readonly logger = new Logger('admin');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(MEDIA_STORE) private readonly store: MediaStore,
    private readonly local: LocalMediaStore,
    private readonly files: MediaFileRepository,
    private readonly titles: TitleRepository,
    private readonly inFlight: InFlightRefsRepository,
    private readonly processor: VideoTools,
    private readonly library: LibraryService,
    private readonly artwork: ArtworkRepository,
    private readonly mutex: RedisMutex,
    private readonly settings: SettingsService,
  ) {}

  get storeKind(): MediaStore['kind'] {
    return this.store.kind;
  }

  /** A page of library files in the configured store, with their titles and stored objects. */
  async filePage(page: number, pageSize: number) {
    const files = await this.files.list(this.store.kind, (page - 1) * pageSize, pageSize);
    const names = await this.titleNames(files);
    return files.map((file) => ({
      file,
      titleName: file.titleId ? names.get(String(file.titleId)) : undefined,
      objects: objectsOf(file),
    }));
  }

  /** Local store: its folders with object counts and sizes. */
  async folders(): Promise<{ name: string; objects: number; bytes: number }[]> {
    this.requireLocal();
    const folders = new Map<string, { objects: number; bytes: number }>();
    for await (const object of this.local.list()) {
      const name = folderOf(object.ref);
      const folder = folders.get(name) ?? { objects: 0, bytes: 0 };
      folder.objects++;
      folder.bytes += object.size;
      folders.set(name, folder);
    }
    return [...folders].map(([name, f]) => ({ name, ...f })).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Local store: the objects of one folder, each with its owner (or none: an orphan candidate). */
  async folder(name: string): Promise<(LocalObject & { owner?: Owner })[]> {
    this.requireLocal();
    const objects: LocalObject[] = [];
    for await (const object of this.local.list()) if (folderOf(object.ref) === name) objects.push(object);
    const owners = await this.owners();
    return objects
      .map((object) => ({ ...object, owner: owners.get(object.ref) }))
      .sort((a, b) => a.ref.localeCompare(b.ref));
  }

  /** One file: its title and every stored object with whether the store still has it. */
  async file(id: Types.ObjectId) {
    const file = await this.requireFile(id);
    const names = await this.titleNames([file]);
    const objects = await Promise.all(
      objectsOf(file).map(async (object) => ({ ...object, exists: await this.exists(object) })),
    );
    return { file, titleName: file.titleId ? names.get(String(file.titleId)) : undefined, objects };
  }

  /**
   * Local objects no library file, no kept artwork (posters, backdrops, stills: stored in the same
   * store) and no ingest task references, older than `ORPHAN_MIN_AGE_MS`. Only the local store can be
   * listed; Telegram channel history is not scanned.
   */
  async orphans(now = Date.now()): Promise<LocalObject[]> {
    this.requireLocal();
    const [owners, artwork, inFlight] = await Promise.all([
      this.owners(),
      this.artwork.storedRefs(),
      this.inFlight.refs(),
    ]);
    const orphans: LocalObject[] = [];
    for await (const object of this.local.list()) {
      if (owners.has(object.ref) || artwork.has(object.ref) || inFlight.has(object.ref)) continue;
      if (now - object.modifiedAt.getTime() < ORPHAN_MIN_AGE_MS) continue;
      orphans.push(object);
    }
    return orphans.sort((a, b) => a.ref.localeCompare(b.ref));
  }

  /** Deletes one orphan, after checking again that it still is one (it may have been claimed since). */
  async deleteOrphan(ref: string): Promise<void> {
    const orphan = (await this.orphans()).find((object) => object.ref === ref);
    if (!orphan) {
      throw new AppError(409, 'not_an_orphan', `"${ref.slice(0, 200)}" is not an orphan (or is gone).`);
    }
    await this.local.delete(orphan.ref);
    this.logger.log(`explorer: deleted orphan ${orphan.ref} (${orphan.size} bytes)`);
  }

  /** Library files with at least one stored object the store no longer has. */
  async dangling(): Promise<{ checked: number; limited: boolean; files: (Owner & { missing: string[] })[] }> {
    const found: MediaFile[] = [];
    const missingOf = new Map<string, string[]>();
    let checked = 0;
    for await (const file of this.files.each(this.store.kind)) {
      if (checked >= DANGLING_CHECK_LIMIT) return this.presentDangling(found, missingOf, checked, true);
      checked++;
      const missing: string[] = [];
      for (const object of objectsOf(file)) {
        if (!(await this.exists(object))) missing.push(`${object.role} (${object.ref})`);
      }
      if (missing.length > 0) {
        found.push(file);
        missingOf.set(String(file._id), missing);
      }
    }
    return this.presentDangling(found, missingOf, checked, false);
  }

  async rename(id: Types.ObjectId, fileName: string): Promise<void> {
    await this.library.renameFile(id, fileName);
  }

  /**
   * New stills from a temporary copy of the stored file (ingest's processor), stored as new objects;
   * the old stills are deleted once the record points at the new ones. One run per file at a time
   * (a second click would copy the whole file again and orphan one set of stills), and only with disk
   * for the copy plus the margin ingest keeps free.
   */
  async regenerateScreenshots(id: Types.ObjectId): Promise<number> {
    // The record is read under the lock, so a run right after another sees (and replaces) its stills.
    const made = await this.mutex.ifFree(
      `stills:${String(id)}`,
      () => this.makeScreenshots(id),
      STILLS_LOCK_TTL_MS,
      { renew: true },
    );
    if (made === undefined) {
      throw new AppError(
        409,
        'already_running',
        'New screenshots of this file are already being made; reload the page in a while.',
      );
    }
    return made;
  }

  private async makeScreenshots(id: Types.ObjectId): Promise<number> {
    const file = await this.requireFile(id);
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
      const shots = await this.processor.screenshots(copy, duration, dir);
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
          // Left behind it is an orphan, which this explorer finds and deletes.
          this.logger.warn(`explorer: old still ${old.ref} not deleted: ${(error as Error).message}`);
        });
      }
      return stored.length;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** The temporary copy goes to DATA_DIR on this manager: refused rather than filling its disk. */
  private async requireDiskFor(bytes: number): Promise<void> {
    const { minFreeDiskBytes } = await this.settings.get();
    const free = await freeDiskBytes(this.config.dataDir);
    if (free - bytes < minFreeDiskBytes) {
      throw new AppError(
        507,
        'insufficient_storage',
        `Not enough disk on this server for a temporary copy of the file: it needs ${formatBytes(bytes)} plus ${formatBytes(minFreeDiskBytes)} kept free, and ${formatBytes(free)} is free.`,
      );
    }
  }

  private async exists(object: FileObject): Promise<boolean> {
    try {
      return await this.store.exists(object);
    } catch {
      return false;
    }
  }

  private async presentDangling(
    files: MediaFile[],
    missingOf: Map<string, string[]>,
    checked: number,
    limited: boolean,
  ) {
    const names = await this.titleNames(files);
    return {
      checked,
      limited,
      files: files.map((file) => ({
        fileId: String(file._id),
        fileName: file.fileName,
        role: 'file',
        titleId: file.titleId ? String(file.titleId) : undefined,
        titleName: file.titleId ? names.get(String(file.titleId)) : undefined,
        missing: missingOf.get(String(file._id)) ?? [],
      })),
    };
  }

  /** ref → the library file (and title) that references it, over the whole configured store. */
  private async owners(): Promise<Map<string, Owner>> {
    const owners = new Map<string, Owner>();
    const files: MediaFile[] = [];
    for await (const file of this.files.each(this.store.kind)) files.push(file);
    const names = await this.titleNames(files);
    for (const file of files) {
      for (const object of objectsOf(file)) {
        owners.set(object.ref, {
          fileId: String(file._id),
          fileName: file.fileName,
          role: object.role,
          titleId: file.titleId ? String(file.titleId) : undefined,
          titleName: file.titleId ? names.get(String(file.titleId)) : undefined,
        });
      }
    }
    return owners;
  }

  private async titleNames(files: MediaFile[]): Promise<Map<string, string>> {
    const ids = [...new Set(files.flatMap((file) => (file.titleId ? [String(file.titleId)] : [])))];
    const titles = await this.titles.findByIds(ids.map((id) => new Types.ObjectId(id)));
    return new Map(titles.map((title) => [String(title._id), title.name]));
  }

  private async requireFile(id: Types.ObjectId): Promise<MediaFile> {
    const file = await this.files.findById(id);
    if (!file) throw new AppError(404, 'not_found', 'No such file.');
    return file;
  }

  private requireLocal(): void {
    if (this.store.kind !== 'local') {
      throw new AppError(
        409,
        'not_local',
        'Folders and orphans exist for the local store only; this install stores in Telegram.',
      );
    }
  }
}

function folderOf(ref: string): string {
  const slash = ref.indexOf('/');
  return slash === -1 ? '.' : ref.slice(0, slash);
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
