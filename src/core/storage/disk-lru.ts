import { mkdir, readdir, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { isAbandoned, writerTag } from './partial-files.js';

/** After an eviction the directory holds at most this share of the cap, so the next writes evict nothing. */
const LOW_WATER = 0.9;
/** A used entry's mtime is brought forward at most this often (it is the use order other processes see). */
const TOUCH_EVERY_MS = 60_000;
/** Temp files are judged (and an abandoned one deleted) on a full scan at most this often. */
const SWEEP_EVERY_MS = 60_000;

export interface DiskLruOptions {
  /**
   * Delete `*.partial` files whose writer is gone: a process of this host (and pid namespace) that
   * is not running, or a file untouched this long. Absent: temp files are never touched.
   */
  abandonedPartialMs?: number;
}

interface Entry {
  size: number;
  /** Last use known here: the file's mtime, or later when this process used it since. */
  usedMs: number;
  /** The file's mtime as last seen or set here. */
  touchedMs: number;
}

/**
 * The bookkeeping of a size-capped cache directory: which entries (files ending in `suffix`) it
 * holds, in use order, and which to delete once a new entry passes the cap. Callers write the files.
 *
 * The directory may be shared by several processes, each with its own instance, so the disk is the
 * truth: a use brings the file's mtime forward (the use order every process sees), a write lists the
 * directory (no stat of known entries: an entry's bytes never change) so the total counts the others'
 * entries too, and an eviction first stats every file to order them by mtime. Reads (`use`) stay in
 * memory.
 */
export class DiskLru {
  /** name → entry, least recently used first (as far as this process knows). */
  private index?: Promise<Map<string, Entry>>;
  private total = 0;
  private writes = 0;
  private sweptAt = 0;

  constructor(
    readonly dir: string,
    private readonly capBytes: number,
    private readonly suffix: string,
    private readonly options: DiskLruOptions = {},
  ) {}

  path(name: string): string {
    return join(this.dir, name);
  }

  /** A temp file for a write of `name`, unique per write and naming this process as its writer. */
  partialPath(name: string): string {
    return `${this.path(name)}.${writerTag()}.${++this.writes}.partial`;
  }

  /** An entry's size, marking it as just used; undefined when the cache does not hold it. */
  async use(name: string): Promise<number | undefined> {
    const index = await this.load();
    const entry = index.get(name);
    if (entry === undefined) return undefined;
    index.delete(name);
    index.set(name, entry);
    const now = Date.now();
    entry.usedMs = now;
    if (now - entry.touchedMs > TOUCH_EVERY_MS) {
      entry.touchedMs = now;
      const seconds = now / 1000;
      // Best effort: a file another process just evicted is not worth an error.
      void utimes(this.path(name), seconds, seconds).catch(() => undefined);
    }
    return entry.size;
  }

  /**
   * Records a file just written at `path(name)`, counts what the other writers of the directory added
   * or removed meanwhile, then deletes the least recently used past the cap.
   */
  async added(name: string, size: number): Promise<void> {
    const index = await this.load();
    this.forget(index, name);
    const now = Date.now();
    index.set(name, { size, usedMs: now, touchedMs: now });
    this.total += size;
    await this.catchUp(index);
    if (this.total <= this.capBytes) return;
    await this.scan(index);
    const keep = this.capBytes * LOW_WATER;
    for (const oldest of [...index.keys()]) {
      if (this.total <= keep || index.size <= 1) break;
      if (oldest === name) continue;
      this.forget(index, oldest);
      await rm(this.path(oldest), { force: true });
    }
  }

  /** Deletes the entries whose names `doomed` picks (their source went). */
  async removeWhere(doomed: (name: string) => boolean): Promise<number> {
    const index = await this.load();
    // Another process's entries of that source too: the directory, not this process's view.
    await this.catchUp(index);
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

  private forget(index: Map<string, Entry>, name: string): void {
    const entry = index.get(name);
    if (entry === undefined) return;
    index.delete(name);
    this.total -= entry.size;
  }

  /** Lists the directory: entries that appeared are stat'ed and counted, entries that went are dropped. */
  private async catchUp(index: Map<string, Entry>): Promise<void> {
    if (Date.now() - this.sweptAt > SWEEP_EVERY_MS) return this.scan(index);
    const names = new Set((await readdir(this.dir)).filter((name) => name.endsWith(this.suffix)));
    for (const name of index.keys()) if (!names.has(name)) this.forget(index, name);
    const fresh = [...names].filter((name) => !index.has(name));
    for (const { name, size, mtimeMs } of await this.statAll(fresh)) {
      if (index.has(name)) continue;
      index.set(name, { size, usedMs: mtimeMs, touchedMs: mtimeMs });
      this.total += size;
    }
  }

  /**
   * Stats every file: sizes and use order from the disk (a later use seen here wins), abandoned temp
   * files deleted.
   */
  private async scan(index: Map<string, Entry>): Promise<void> {
    const now = Date.now();
    const files = await this.statAll(await readdir(this.dir));
    const stale = this.options.abandonedPartialMs;
    if (stale !== undefined) {
      const doomed = files.filter(
        ({ name, mtimeMs }) => name.endsWith('.partial') && isAbandoned(name, mtimeMs, now, stale),
      );
      await Promise.all(doomed.map(({ name }) => rm(this.path(name), { force: true })));
    }
    // Ties (one millisecond) keep the order this process knows.
    const known = new Map([...index.keys()].map((name, position) => [name, position]));
    const entries = files
      .filter(({ name }) => name.endsWith(this.suffix))
      .map(({ name, size, mtimeMs }) => ({
        name,
        size,
        usedMs: Math.max(mtimeMs, index.get(name)?.usedMs ?? 0),
        touchedMs: mtimeMs,
      }))
      .sort((a, b) => a.usedMs - b.usedMs || (known.get(a.name) ?? -1) - (known.get(b.name) ?? -1));
    index.clear();
    this.total = 0;
    for (const { name, ...entry } of entries) {
      index.set(name, entry);
      this.total += entry.size;
    }
    this.sweptAt = now;
  }

  /** Files that another process deleted between the listing and the stat are left out. */
  private async statAll(names: string[]): Promise<{ name: string; size: number; mtimeMs: number }[]> {
    const found = await Promise.all(
      names.map(async (name) => {
        const info = await stat(this.path(name)).catch(() => undefined);
        return info?.isFile() ? { name, size: info.size, mtimeMs: info.mtimeMs } : undefined;
      }),
    );
    return found.filter((file) => file !== undefined);
  }

  private load(): Promise<Map<string, Entry>> {
    this.index ??= (async () => {
      await mkdir(this.dir, { recursive: true });
      const index = new Map<string, Entry>();
      await this.scan(index);
      return index;
    })();
    return this.index;
  }
}
