import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../core/config/app-config.js';

const SUFFIX = '.transcode';

/**
 * Finished transcodes on disk (`DATA_DIR/cache/music`), capped at TRANSCODE_CACHE_MB: when an entry
 * passes the cap the least recently used go. A transcode is written to a partial file while it
 * streams and becomes an entry only when ffmpeg finished (a cancelled one is thrown away).
 */
@Injectable()
export class TranscodeCache {
  private readonly dir: string;
  private readonly capBytes: number;
  /** name → bytes, least recently used first. */
  private index?: Promise<Map<string, number>>;
  private total = 0;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.dir = join(config.dataDir, 'cache', 'music');
    this.capBytes = config.music.transcodeCacheBytes;
  }

  /** The path of a finished transcode, marked as just used; undefined when not cached. */
  async find(key: string): Promise<{ path: string; size: number } | undefined> {
    const index = await this.load();
    const name = `${key}${SUFFIX}`;
    const size = index.get(name);
    if (size === undefined) return undefined;
    index.delete(name);
    index.set(name, size);
    return { path: join(this.dir, name), size };
  }

  /** Where a transcode in progress writes (unique per writer). */
  async partialPath(key: string): Promise<string> {
    await this.load();
    return join(this.dir, `${key}.${process.pid}.${Date.now()}.partial`);
  }

  async commit(key: string, partial: string): Promise<void> {
    const index = await this.load();
    const name = `${key}${SUFFIX}`;
    const size = (await stat(partial)).size;
    await rename(partial, join(this.dir, name));
    this.forget(index, name);
    index.set(name, size);
    this.total += size;
    while (this.total > this.capBytes && index.size > 1) {
      const oldest = index.keys().next().value!;
      this.forget(index, oldest);
      await rm(join(this.dir, oldest), { force: true });
    }
  }

  async discard(partial: string): Promise<void> {
    await rm(partial, { force: true });
  }

  private forget(index: Map<string, number>, name: string): void {
    const size = index.get(name);
    if (size === undefined) return;
    index.delete(name);
    this.total -= size;
  }

  private load(): Promise<Map<string, number>> {
    this.index ??= (async () => {
      await mkdir(this.dir, { recursive: true });
      const names = await readdir(this.dir);
      // Partial files of a process that died are useless: drop them.
      await Promise.all(
        names.filter((n) => n.endsWith('.partial')).map((n) => rm(join(this.dir, n), { force: true })),
      );
      const files = await Promise.all(
        names
          .filter((n) => n.endsWith(SUFFIX))
          .map(async (name) => ({ name, info: await stat(join(this.dir, name)) })),
      );
      files.sort((a, b) => a.info.mtimeMs - b.info.mtimeMs);
      const index = new Map<string, number>();
      for (const { name, info } of files) {
        index.set(name, info.size);
        this.total += info.size;
      }
      return index;
    })();
    return this.index;
  }
}
