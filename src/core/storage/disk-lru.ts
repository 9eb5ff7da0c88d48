import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The bookkeeping of a size-capped cache directory: which entries (files ending in `suffix`) it
 * holds, in use order, and which to delete once a new entry passes the cap. Recency is kept in
 * memory, seeded from the files' modification times on first use. Callers write the files.
 */
export class DiskLru {
  /** name → bytes, least recently used first. */
  private index?: Promise<Map<string, number>>;
  private total = 0;

  constructor(
    readonly dir: string,
    private readonly capBytes: number,
    private readonly suffix: string,
    /** Delete `*.partial` files found on first use (writers that died mid-way). */
    private readonly dropPartials = false,
  ) {}

  path(name: string): string {
    return join(this.dir, name);
  }

  /** An entry's size, marking it as just used; undefined when the cache does not hold it. */
  async use(name: string): Promise<number | undefined> {
    const index = await this.load();
    const size = index.get(name);
    if (size === undefined) return undefined;
    index.delete(name);
    index.set(name, size);
    return size;
  }

  /** Records a file just written at `path(name)`, then deletes the least recently used past the cap. */
  async added(name: string, size: number): Promise<void> {
    const index = await this.load();
    this.forget(index, name);
    index.set(name, size);
    this.total += size;
    while (this.total > this.capBytes && index.size > 1) {
      const oldest = index.keys().next().value!;
      this.forget(index, oldest);
      await rm(this.path(oldest), { force: true });
    }
  }

  /** Deletes the entries whose names `doomed` picks (their source went). */
  async removeWhere(doomed: (name: string) => boolean): Promise<number> {
    const index = await this.load();
    const names = [...index.keys()].filter(doomed);
    for (const name of names) {
      this.forget(index, name);
      await rm(this.path(name), { force: true });
    }
    return names.length;
  }

  /** Drops an entry whose file turned out to be gone. */
  async lost(name: string): Promise<void> {
    this.forget(await this.load(), name);
  }

  /** Creates the directory and reads what it holds (once). */
  async ready(): Promise<void> {
    await this.load();
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
      if (this.dropPartials) {
        await Promise.all(
          names.filter((n) => n.endsWith('.partial')).map((n) => rm(this.path(n), { force: true })),
        );
      }
      const files = await Promise.all(
        names
          .filter((name) => name.endsWith(this.suffix))
          .map(async (name) => ({ name, info: await stat(this.path(name)) })),
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
