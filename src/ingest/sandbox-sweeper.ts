import { randomUUID } from 'node:crypto';
import { readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../core/config/app-config.js';
import { ensureDataSubdirectory } from '../core/data-dir/writable-directory.js';
import { IngestTaskRepository } from './ingest-task.repository.js';

const DOWNLOADS = 'downloads';
const TASK_ID = /^[0-9a-f-]{36}$/;
/** A swept sandbox, moved aside before it is removed (never a task id, so a later sweep removes it too). */
const SWEPT = '.swept-';
/**
 * How often a running worker sweeps too: a task cancelled while its job waited to be retried leaves
 * its sandbox behind (no worker was running it to remove it), and that may be GBs of partial download.
 */
export const SANDBOX_SWEEP_EVERY_MS = 10 * 60 * 1000;

/** Where a worker downloads: one sandbox per task, `DATA_DIR/downloads/<taskId>`. */
export function downloadsRoot(config: AppConfig): string {
  return join(config.dataDir, DOWNLOADS);
}

/**
 * Owns the workers' download root: creates it at boot (a worker on a fresh volume must be able to
 * start its first download), then, at boot and every SANDBOX_SWEEP_EVERY_MS, removes download
 * sandboxes (DATA_DIR/downloads/<taskId>) whose task is no longer active — left behind by a crash, or
 * a cancel that hit a dead worker or a job waiting to be retried. Sandboxes are on each worker's own
 * disk, so each worker sweeps its own. Active tasks keep theirs: the job resumes from the bytes
 * already there; so do done tasks whose stills are still being made from it. A task retried while it
 * is being swept is either kept (retried first) or swept before its new job can write a byte.
 */
@Injectable()
export class SandboxSweeper implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ingest');
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tasks: IngestTaskRepository,
  ) {}

  onModuleInit(): void {
    ensureDataSubdirectory(this.config.dataDir, DOWNLOADS);
  }

  onApplicationBootstrap(): void {
    void this.tick();
    this.timer = setInterval(() => void this.tick(), SANDBOX_SWEEP_EVERY_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One sweep, unless the last one is still going (a large sandbox takes a while to remove). */
  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = this.sweep()
      .catch((error: Error) => this.logger.warn(`sandbox sweep failed: ${error.message}`))
      .finally(() => (this.running = undefined));
    await this.running;
  }

  async sweep(): Promise<string[]> {
    const root = downloadsRoot(this.config);
    let entries: string[];
    try {
      entries = await readdir(root);
    } catch {
      return [];
    }
    const removed: string[] = [];
    for (const entry of entries) {
      const sandbox = join(root, entry);
      if (!TASK_ID.test(entry)) {
        // Not a task's: junk, or what an earlier sweep moved aside and did not finish removing.
        await rm(sandbox, { recursive: true, force: true });
        removed.push(entry);
        continue;
      }
      // Checked and moved aside under the task's lock, so a retry cannot slip in between and have its
      // worker's new (or resumed) download removed; the slow removal runs after, without the lock.
      const trash = join(root, `${SWEPT}${entry}-${randomUUID()}`);
      const moved = await this.tasks.whileNoWorkerNeeded(entry, () => renameIfPresent(sandbox, trash));
      if (!moved) continue;
      await rm(trash, { recursive: true, force: true });
      removed.push(entry);
    }
    if (removed.length > 0) this.logger.log(`removed ${removed.length} stale download sandbox(es)`);
    return removed;
  }
}

async function renameIfPresent(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
