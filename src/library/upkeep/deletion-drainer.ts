import { Inject, Injectable, Logger } from '@nestjs/common';
import { JobHandler } from '../../core/queue/job-handler.decorator.js';
import { JobName } from '../../core/queue/queue-names.js';
import { MEDIA_STORE, type MediaStore } from '../../core/storage/media-store.js';
import { PendingDeletionRepository } from '../pending-deletion.repository.js';

const BATCH = 100;
/** One run stops after this long; the next scheduled run carries on. */
const RUN_BUDGET_MS = 45000;
/** After a failure an entry waits this long, doubling with each further failure up to the cap. */
const FIRST_RETRY_MS = 60_000;
const MAX_RETRY_MS = 60 * 60_000;

/** How long an entry that has now failed `attempts` times waits before its next attempt. */
export function retryDelayMs(attempts: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1), MAX_RETRY_MS);
}

export interface DrainResult {
  deleted: number;
  failed: number;
}

/**
 * Empties `pending_deletions` into the store: library deletes record the stored objects first (so a
 * crash forgets nothing) and this job removes them. An object that cannot be removed now (Telegram
 * flood limits, I/O) keeps its entry with the error and an attempt count, and is tried again after a
 * backoff (so an object that always fails does not take a share of every run).
 */
@Injectable()
export class DeletionDrainer {
  private readonly logger = new Logger('deletions');

  constructor(
    @Inject(MEDIA_STORE) private readonly store: MediaStore,
    private readonly pending: PendingDeletionRepository,
  ) {}

  @JobHandler(JobName.DrainDeletions)
  async drain(): Promise<DrainResult> {
    const result: DrainResult = { deleted: 0, failed: 0 };
    const started = new Date();
    const deadline = started.getTime() + RUN_BUDGET_MS;
    // Left out of the query, not filtered after it: a batch of this run's failures must not hide the rest.
    const tried = new Set<string>();
    while (Date.now() < deadline) {
      const batch = await this.pending.due(this.store.kind, BATCH, started, tried);
      if (batch.length === 0) break;
      for (const entry of batch) {
        tried.add(entry._id);
        try {
          await this.store.delete(entry.ref);
          await this.pending.done(entry._id);
          result.deleted++;
        } catch (error) {
          const retryAt = new Date(Date.now() + retryDelayMs(entry.attempts + 1));
          await this.pending.failed(entry._id, (error as Error).message, retryAt);
          result.failed++;
        }
      }
    }
    if (result.deleted || result.failed) {
      this.logger.log(`removed ${result.deleted} stored objects; ${result.failed} to retry`);
    }
    return result;
  }
}
