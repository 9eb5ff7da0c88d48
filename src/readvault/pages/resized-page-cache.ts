import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../core/config/app-config.js';
import { DiskLru } from '../../core/storage/disk-lru.js';

/**
 * Resized pages on disk (`DATA_DIR/cache/readvault`), capped at READVAULT_CACHE_MB: when a write
 * passes the cap, the least recently used pages go. Temp files of writes cut short (a crash) are
 * dropped on first use.
 */
@Injectable()
export class ResizedPageCache {
  private readonly entries: DiskLru;
  private writes = 0;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.entries = new DiskLru(
      join(config.dataDir, 'cache', 'readvault'),
      config.readvault.cacheBytes,
      '.webp',
      true, // the directory is this cache's alone: a partial found at start is a dead write's
    );
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

  /** A cached page's length (marking it as used); undefined when not resized yet. */
  size(name: string): Promise<number | undefined> {
    return this.entries.use(name);
  }

  /** Deletes every resized page of the given CBZ files (deleted from the library). */
  removeFiles(fileIds: readonly string[]): Promise<number> {
    const prefixes = fileIds.map((id) => `${id}-`);
    return this.entries.removeWhere((name) => prefixes.some((prefix) => name.startsWith(prefix)));
  }

  async put(name: string, bytes: Buffer): Promise<void> {
    await this.entries.ready();
    const path = this.entries.path(name);
    // Unique per write: two writers of one page never share (truncate, or rename away) a temp file.
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
