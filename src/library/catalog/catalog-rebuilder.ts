import { Injectable, Logger } from '@nestjs/common';
import { AppError } from '../../core/errors/app-error.js';
import { RedisMutex } from '../../core/redis/redis-mutex.js';
import { FileTotals } from '../file-totals.service.js';
import { TitleRepository } from '../title.repository.js';
import { CATALOG_INDEX_VERSION } from './catalog-entry.js';
import { CatalogIndexRepository } from './catalog-index.repository.js';
import { toIndexed } from './catalog-indexer.js';

const BATCH = 500;

export interface RebuildResult {
  generation: number;
  titles: number;
  ms: number;
}

/**
 * Builds a new generation of the index from the database and then makes it the one that answers.
 * Writes during the build reach both generations (CatalogIndexer reads `building`), and the build's
 * own upserts are revision-guarded, so a title changed or deleted while the scan runs ends up as the
 * database has it. One build at a time across every process (a Redis lock).
 */
@Injectable()
export class CatalogRebuilder {
  private readonly logger = new Logger('catalog');
  private running?: Promise<RebuildResult | undefined>;
  private lastAttempt = 0;

  constructor(
    private readonly index: CatalogIndexRepository,
    private readonly titles: TitleRepository,
    private readonly mutex: RedisMutex,
    private readonly fileTotals: FileTotals,
  ) {}

  /** Rebuilds now; undefined when another process is already rebuilding. */
  async rebuild(reason: string): Promise<RebuildResult | undefined> {
    let started = false;
    try {
      return await this.mutex.withLock(
        'catalog-rebuild',
        () => {
          started = true;
          return this.build(reason);
        },
        { ttlMs: 30_000, waitMs: 0, renew: true },
      );
    } catch (error) {
      if (!started && error instanceof AppError && error.getStatus() === 503) return undefined;
      // Said here, whoever asked (a reader, the queued job, `npm run reindex`): the index stays stale.
      this.logger.error(`catalog rebuild failed: ${(error as Error).message}`);
      throw error;
    }
  }

  /**
   * Starts a rebuild in the background unless this process has one running or tried in the last few
   * seconds (readers call this on every request while the index is missing).
   */
  ensureRebuilding(reason: string): void {
    if (this.running || Date.now() - this.lastAttempt < 5000) return;
    this.lastAttempt = Date.now();
    this.running = this.rebuild(reason)
      .catch(() => undefined) // logged by `rebuild`
      .finally(() => (this.running = undefined));
  }

  private async build(reason: string): Promise<RebuildResult> {
    const began = Date.now();
    const before = await this.index.meta();
    // Holding the lock, any generation still marked as building was left by a crashed build.
    if (before.building !== undefined) await this.index.abandonBuild(before.building);
    const gen = await this.index.startGeneration(CATALOG_INDEX_VERSION);
    this.logger.log(`catalog rebuild of generation ${gen} started (${reason})`);
    let count = 0;
    try {
      let batch: ReturnType<typeof toIndexed>[] = [];
      for await (const title of this.titles.eachForIndex()) {
        batch.push(indexed(title));
        if (batch.length >= BATCH) {
          await this.index.upsertMany(gen, batch);
          count += batch.length;
          batch = [];
        }
      }
      await this.index.upsertMany(gen, batch);
      count += batch.length;
    } catch (error) {
      await this.index.abandonBuild(gen);
      throw error;
    }
    await this.index.promote(gen, CATALOG_INDEX_VERSION);
    if (before.current !== undefined && before.current !== gen) await this.index.retire(before.current);
    const ms = Date.now() - began;
    this.logger.log(`catalog generation ${gen} serves ${count} title(s), built in ${ms} ms`);
    // The file count and bytes are counted again with the index (their counters are kept by the same
    // writes), after it: the new generation answers meanwhile, and the old figures until the count ends.
    this.fileTotals.recountInBackground();
    return { generation: gen, titles: count, ms };
  }
}

/** A title's index entry; a title that cannot be indexed is named in the error that stops the build. */
function indexed(title: Parameters<typeof toIndexed>[0]): ReturnType<typeof toIndexed> {
  try {
    return toIndexed(title);
  } catch (error) {
    throw new Error(`title ${String(title._id)} cannot be indexed: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
