import { randomUUID } from 'node:crypto';
import { statfsSync } from 'node:fs';
import { copyFile, link, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { type Readable } from 'node:stream';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { ensureDataSubdirectory } from '../data-dir/writable-directory.js';
import {
  type MediaStore,
  type PutOptions,
  type StoredPart,
  StoredObjectMissingError,
} from './media-store.js';
import { localInline } from './inline-file-ops.js';
import { readsOnLoop } from './local-filesystems.js';
import { LocalRangeReader, type LocalSlice } from './local-range-reader.js';

/** Files under DATA_DIR/media: the embedded default. One part per file (no size limit to split at). */
@Injectable()
export class LocalMediaStore implements MediaStore, OnModuleInit {
  readonly kind = 'local' as const;
  private readonly logger = new Logger('storage');
  private readonly root: string;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.root = join(config.dataDir, 'media');
  }

  /**
   * The configured store makes its root at boot (a streamer reads, and the explorer lists, before any
   * put), and decides whether streams' first operations may run on the event loop.
   */
  onModuleInit(): void {
    if (this.config.storage !== 'local') {
      // Nothing local is streamed: the gauge should not say local reads run on the loop.
      localInline.turnOff();
      return;
    }
    ensureDataSubdirectory(this.config.dataDir, 'media');
    this.chooseReadPath();
  }

  /** Keeps every file operation on libuv's pool where one could hang (see `InlineFileOps`). */
  private chooseReadPath(): void {
    const choice = readsOnLoop(this.config.stream.localReadsOnLoop, statfsSync(this.root).type);
    if (choice.allowed) return;
    localInline.turnOff();
    this.logger.log(`${this.root}: ${choice.reason}, so every read goes through the thread pool`);
  }

  async put(path: string, name: string, options: PutOptions = {}): Promise<StoredPart[]> {
    if (options.done?.length) return [...options.done];
    const id = options.key ?? randomUUID();
    const ref = join(id.slice(0, 2), `${id}-${safeName(name)}`);
    const target = this.pathOf(ref);
    await mkdir(resolve(target, '..'), { recursive: true });
    // Written aside and renamed: a crash never leaves a half file under the final name, and a repeated
    // put with the same key replaces the object instead of adding a second one.
    const partial = `${target}.partial`;
    await rm(partial, { force: true });
    // Downloads live under the same DATA_DIR: a hard link stores the file without copying its bytes.
    await link(path, partial).catch(() => copyFile(path, partial));
    await rename(partial, target);
    // rename() between two links of one file (a repeated put of the same download) does nothing.
    await rm(partial, { force: true });
    const part = { ref, size: (await stat(target)).size };
    // A keyed object is found again by its key: nothing to record for a repeat (a write saved per item).
    if (!options.key) await options.onPart?.(part, 0);
    return [part];
  }

  read(parts: readonly StoredPart[], start: number, endInclusive: number): Readable {
    const slices: LocalSlice[] = [];
    let partStart = 0;
    for (const part of parts) {
      const partEnd = partStart + part.size - 1;
      if (partEnd >= start && partStart <= endInclusive) {
        const from = Math.max(start, partStart) - partStart;
        const to = Math.min(endInclusive, partEnd) - partStart;
        slices.push({ path: this.pathOf(part.ref), ref: part.ref, from, to });
      }
      partStart += part.size;
    }
    return new LocalRangeReader(slices);
  }

  async exists(part: StoredPart): Promise<boolean> {
    try {
      return (await stat(this.pathOf(part.ref))).isFile();
    } catch {
      return false;
    }
  }

  /** One object's size and modification time; undefined when there is none under this ref. */
  async object(ref: string): Promise<LocalObject | undefined> {
    try {
      const info = await stat(this.pathOf(ref));
      return info.isFile() ? { ref, size: info.size, modifiedAt: info.mtime } : undefined;
    } catch {
      return undefined;
    }
  }

  async delete(ref: string): Promise<void> {
    await rm(this.pathOf(ref), { force: true });
  }

  /** Every object under the media root, for the admin explorer (orphan search). */
  async *list(): AsyncGenerator<LocalObject> {
    let entries;
    try {
      entries = await readdir(this.root, { recursive: true, withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      const path = join(entry.parentPath, entry.name);
      try {
        const info = await stat(path);
        yield { ref: relative(this.root, path), size: info.size, modifiedAt: info.mtime };
      } catch {
        // deleted while listing
      }
    }
  }

  /** Resolves a ref inside the media root; a ref that escapes it is refused. */
  private pathOf(ref: string): string {
    const path = resolve(this.root, ref);
    if (relative(this.root, path).startsWith('..') || !path.startsWith(this.root + sep)) {
      throw new StoredObjectMissingError(`invalid local storage ref "${ref}"`);
    }
    return path;
  }
}

export interface LocalObject {
  ref: string;
  size: number;
  modifiedAt: Date;
}

function safeName(name: string): string {
  return (
    name
      .replace(/[^\w.-]+/g, '_')
      .replace(/^\.+/, '')
      .slice(0, 120) || 'file'
  );
}
