import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../core/config/app-config.js';
import { type ArtworkSize } from './artwork-sizes.js';

/**
 * Resized renditions on the serving process's disk (DATA_DIR/artwork-cache/<id>/<size>.webp): made
 * once per process, then read from disk. Bounded by the fixed size list; deleting the directory is safe.
 */
@Injectable()
export class ArtworkDiskCache {
  private readonly root: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.root = join(config.dataDir, 'artwork-cache');
  }

  async read(id: string, size: ArtworkSize): Promise<Buffer | undefined> {
    try {
      return await readFile(this.file(id, size));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /** Written beside and renamed into place, so a reader never sees half a file. */
  async write(id: string, size: ArtworkSize, bytes: Buffer): Promise<void> {
    await mkdir(join(this.root, id), { recursive: true });
    const temporary = `${this.file(id, size)}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(temporary, bytes);
    await rename(temporary, this.file(id, size));
  }

  private file(id: string, size: ArtworkSize): string {
    return join(this.root, id, `${size}.webp`);
  }
}
