import { Injectable, Logger } from '@nestjs/common';
import { RedisMutex } from '../core/redis/redis-mutex.js';
import { type FileTotalsFigures, FileTotalsRepository } from './file-totals.repository.js';
import { MediaFileRepository } from './media-file.repository.js';

/**
 * The library's file count and stored bytes (dashboard, bot /stats), answered from the counters the
 * writes keep (FileTotalsRepository). They are counted again from the collection after every catalog
 * rebuild (in the background), and on the first read that finds them missing (a fresh install from before the counters,
 * a Redis flush): that read waits for the one count, across processes (a Redis lock).
 */
@Injectable()
export class FileTotals {
  private readonly logger = new Logger('library');
  private counting?: Promise<FileTotalsFigures>;

  constructor(
    private readonly totals: FileTotalsRepository,
    private readonly files: MediaFileRepository,
    private readonly mutex: RedisMutex,
  ) {}

  async read(): Promise<FileTotalsFigures> {
    let stored: FileTotalsFigures | undefined;
    try {
      stored = await this.totals.read();
    } catch (error) {
      // Redis unreachable: the database still answers, slowly (as the catalog does).
      this.logger.warn(`file totals unreachable, counting the database: ${(error as Error).message}`);
      return this.files.sumSizes();
    }
    return stored ?? this.recountOnce();
  }

  /**
   * Counts the collection and stores the result. A file written while the count scans may be counted
   * twice or missed until the next recount (the writes' deltas land beside the scan, not in it).
   */
  recount(): Promise<FileTotalsFigures> {
    return this.count(false);
  }

  /** A recount nobody waits for (after a catalog rebuild); the figures it replaces answer meanwhile. */
  recountInBackground(): void {
    this.recount().catch((error: Error) => this.logger.error(`file totals not recounted: ${error.message}`));
  }

  /** One count per process at a time; a reader that waited for another process's count uses it. */
  private recountOnce(): Promise<FileTotalsFigures> {
    this.counting ??= this.count(true).finally(() => (this.counting = undefined));
    return this.counting;
  }

  private count(onlyIfMissing: boolean): Promise<FileTotalsFigures> {
    return this.mutex.withLock(
      'file-totals-recount',
      async () => {
        const counted = onlyIfMissing ? await this.totals.read() : undefined;
        if (counted) return counted;
        const began = Date.now();
        const totals = await this.files.sumSizes();
        await this.totals.store(totals);
        this.logger.log(`file totals counted: ${totals.files} file(s) in ${Date.now() - began} ms`);
        return totals;
      },
      { ttlMs: 30_000, waitMs: 10 * 60_000, renew: true, maxPollMs: 1000 },
    );
  }
}
