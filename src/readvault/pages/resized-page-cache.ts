import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../core/config/app-config.js';

/**
 * Resized pages on disk (`DATA_DIR/cache/readvault`), capped at READVAULT_CACHE_MB: when a write
 * passes the cap, the least recently used pages go. Recency is kept in memory (a Map in use order),
 * seeded from the files' modification times when the process starts.
 */
@Injectable()
export class ResizedPageCache {
  private readonly dir: string;
  private readonly capBytes: number;
  /** name → bytes, least recently used first. */
  private index?: Promise<Map<string, number>>;
  private total = 0;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.dir = join(config.dataDir, 'cache', 'readvault');
    this.capBytes = config.readvault.cacheBytes;
  }

  async get(name: string): Promise<Buffer | undefined> {
    const index = await this.load();
    if (!index.has(name)) return undefined;
    try {
      const bytes = await readFile(join(this.dir, name));
      const size = index.get(name)!;
      index.delete(name);
      index.set(name, size);
      return bytes;
    } catch {
      this.forget(index, name);
      return undefined;
    }
  }

  async put(name: string, bytes: Buffer): Promise<void> {
    const index = await this.load();
    const path = join(this.dir, name);
    const partial = `${path}.${process.pid}.partial`;
    await writeFile(partial, bytes);
    await rename(partial, path);
    this.forget(index, name);
    index.set(name, bytes.length);
    this.total += bytes.length;
    while (this.total > this.capBytes && index.size > 1) {
      const oldest = index.keys().next().value!;
      this.forget(index, oldest);
      await rm(join(this.dir, oldest), { force: true });
    }
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
      const files = await Promise.all(
        (await readdir(this.dir))
          .filter((name) => name.endsWith('.webp'))
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
