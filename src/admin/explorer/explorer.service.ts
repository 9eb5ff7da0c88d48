import { Inject, Injectable, Logger } from '@nestjs/common';
import { Types } from 'mongoose';
import { AppError } from '../../core/errors/app-error.js';
import { LocalMediaStore, type LocalObject } from '../../core/storage/local-media-store.js';
import { MEDIA_STORE, type MediaStore } from '../../core/storage/media-store.js';
import { StillsRequests, type StillsRun } from '../../ingest/stills/stills-requests.js';
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
    @Inject(MEDIA_STORE) private readonly store: MediaStore,
    private readonly local: LocalMediaStore,
    private readonly files: MediaFileRepository,
    private readonly titles: TitleRepository,
    private readonly inFlight: InFlightRefsRepository,
    private readonly library: LibraryService,
    private readonly artwork: ArtworkRepository,
    private readonly stills: StillsRequests,
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

  /**
   * Deletes one orphan, after checking again that it still is one (it may have been claimed since):
   * that object alone, by its ref, against the same records `orphans` checks, not a walk of the store.
   */
  async deleteOrphan(ref: string, now = Date.now()): Promise<void> {
    this.requireLocal();
    const object = await this.local.object(ref);
    const orphan =
      object !== undefined &&
      now - object.modifiedAt.getTime() >= ORPHAN_MIN_AGE_MS &&
      !(await this.referenced(ref));
    if (!orphan) {
      throw new AppError(409, 'not_an_orphan', `"${ref.slice(0, 200)}" is not an orphan (or is gone).`);
    }
    await this.local.delete(object.ref);
    this.logger.log(`explorer: deleted orphan ${object.ref} (${object.size} bytes)`);
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
   * Queues new stills of a video (a worker copies the stored file and runs ffmpeg: minutes, not a
   * request's worth); one run per file at a time. `stillsRun` follows it.
   */
  async regenerateScreenshots(id: Types.ObjectId): Promise<StillsRun> {
    const file = await this.requireFile(id);
    if (!file.duration || file.streams.video.length === 0) {
      throw new AppError(409, 'not_a_video', 'This file has no video track with a known duration.');
    }
    return this.stills.request(id);
  }

  /** The file's last (or current) stills run. */
  async stillsRun(id: Types.ObjectId): Promise<StillsRun> {
    await this.requireFile(id);
    return this.stills.last(id);
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

  /** Whether a library file, a kept artwork or an ingest task references the object. */
  private async referenced(ref: string): Promise<boolean> {
    const found = await Promise.all([
      this.files.references(ref),
      this.artwork.storesRef(ref),
      this.inFlight.has(ref),
    ]);
    return found.includes(true);
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
