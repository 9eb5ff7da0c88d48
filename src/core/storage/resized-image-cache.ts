import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { DiskLru } from './disk-lru.js';

/** A resize is written in milliseconds: a temp file this old is a write that died. */
const ABANDONED_PARTIAL_MS = 5 * 60_000;

/**
 * Resized images on disk, in a directory of their own capped at `capBytes`: when a write passes the
 * cap, the least recently used go. Every process serving them (streamers on one volume) keeps its own
 * instance over the one directory, and together they stay near the cap (see `DiskLru`). Temp files of
 * writes cut short (a crash) are dropped, never another live process's.
 * Readvault's pages and music's covers each keep one.
 */
export class ResizedImageCache {
  private readonly entries: DiskLru;

  constructor(dir: string, capBytes: number, suffix: string) {
    this.entries = new DiskLru(dir, capBytes, suffix, { abandonedPartialMs: ABANDONED_PARTIAL_MS });
  }

  async get(name: string): Promise<Buffer | undefined> {
    if ((await this.entries.use(name)) === undefined) return undefined;
    try {
      return await readFile(this.entries.path(name));
    } catch {
      await this.entries.lost(name);
      return undefined;
    }
  }

  /** A cached image's length (marking it as used); undefined when not resized yet. */
  size(name: string): Promise<number | undefined> {
    return this.entries.use(name);
  }

  /** Deletes every resized copy of these source files (entries are named `<fileId>-…`): they went. */
  removeFiles(fileIds: readonly string[]): Promise<number> {
    const prefixes = fileIds.map((id) => `${id}-`);
    return this.entries.removeWhere((name) => prefixes.some((prefix) => name.startsWith(prefix)));
  }

  async put(name: string, bytes: Buffer): Promise<void> {
    await this.entries.ready();
    const path = this.entries.path(name);
    // Unique per write: two writers of one image never share (truncate, or rename away) a temp file.
    const partial = this.entries.partialPath(name);
    try {
      await writeFile(partial, bytes);
      await rename(partial, path);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
    await this.entries.added(name, bytes.length);
  }
}
