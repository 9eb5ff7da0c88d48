import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { DiskLru } from './disk-lru.js';

/**
 * Resized images on disk, in a directory of their own capped at `capBytes`: when a write passes the
 * cap, the least recently used go. Temp files of writes cut short (a crash) are dropped on first use.
 * Readvault's pages and music's covers each keep one.
 */
export class ResizedImageCache {
  private readonly entries: DiskLru;
  private writes = 0;

  constructor(dir: string, capBytes: number, suffix: string) {
    // The directory is this cache's alone: a partial found at start is a dead write's.
    this.entries = new DiskLru(dir, capBytes, suffix, true);
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

  /** Deletes every entry whose name starts with one of `prefixes` (their source went). */
  removeStartingWith(prefixes: readonly string[]): Promise<number> {
    return this.entries.removeWhere((name) => prefixes.some((prefix) => name.startsWith(prefix)));
  }

  async put(name: string, bytes: Buffer): Promise<void> {
    await this.entries.ready();
    const path = this.entries.path(name);
    // Unique per write: two writers of one image never share (truncate, or rename away) a temp file.
    const partial = `${path}.${process.pid}.${++this.writes}.partial`;
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
