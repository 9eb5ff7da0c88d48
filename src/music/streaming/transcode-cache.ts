import { rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../core/config/app-config.js';
import { DiskLru } from '../../core/storage/disk-lru.js';

const SUFFIX = '.transcode';
/**
 * A transcode's temp file may stand still for as long as a slow client takes to play it (and the
 * seekable copy of its source for the whole transcode): only one this old is surely abandoned.
 */
const ABANDONED_PARTIAL_MS = 24 * 60 * 60_000;

/**
 * Finished transcodes on disk (`DATA_DIR/cache/music`), capped at TRANSCODE_CACHE_MB: when an entry
 * passes the cap the least recently used go. A transcode is written to a partial file while it
 * streams and becomes an entry only when ffmpeg finished (a cancelled one is thrown away; partial
 * files of a process that died are dropped, never those of another live process sharing the folder).
 */
@Injectable()
export class TranscodeCache {
  private readonly entries: DiskLru;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.entries = new DiskLru(
      join(config.dataDir, 'cache', 'music'),
      config.music.transcodeCacheBytes,
      SUFFIX,
      { abandonedPartialMs: ABANDONED_PARTIAL_MS },
    );
  }

  /** The path of a finished transcode, marked as just used; undefined when not cached. */
  async find(key: string): Promise<{ path: string; size: number } | undefined> {
    const name = `${key}${SUFFIX}`;
    const size = await this.entries.use(name);
    return size === undefined ? undefined : { path: this.entries.path(name), size };
  }

  /** Where a transcode in progress writes (unique per writer). */
  async partialPath(key: string): Promise<string> {
    await this.entries.ready();
    return this.entries.partialPath(key);
  }

  async commit(key: string, partial: string): Promise<void> {
    await this.entries.ready();
    const name = `${key}${SUFFIX}`;
    const size = (await stat(partial)).size;
    await rename(partial, this.entries.path(name));
    await this.entries.added(name, size);
  }

  async discard(partial: string): Promise<void> {
    await rm(partial, { force: true });
  }
}
