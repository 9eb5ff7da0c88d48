import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../core/config/app-config.js';
import { ensureDataSubdirectory } from '../core/data-dir/writable-directory.js';
import { IngestTaskRepository } from './ingest-task.repository.js';
import { ACTIVE_STATES } from './schemas/ingest-task.schema.js';

const DOWNLOADS = 'downloads';

/** Where a worker downloads: one sandbox per task, `DATA_DIR/downloads/<taskId>`. */
export function downloadsRoot(config: AppConfig): string {
  return join(config.dataDir, DOWNLOADS);
}

/**
 * Owns the workers' download root: creates it at boot (a worker on a fresh volume must be able to
 * start its first download), then removes download sandboxes (DATA_DIR/downloads/<taskId>) whose task is no longer
 * active — left behind by a crash or a cancel that hit a dead worker. Active tasks keep theirs: the
 * job resumes from the bytes already there.
 */
@Injectable()
export class SandboxSweeper implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger('ingest');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tasks: IngestTaskRepository,
  ) {}

  onModuleInit(): void {
    ensureDataSubdirectory(this.config.dataDir, DOWNLOADS);
  }

  onApplicationBootstrap(): void {
    void this.sweep().catch((error: Error) => this.logger.warn(`sandbox sweep failed: ${error.message}`));
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
    for (const taskId of entries) {
      const task = /^[0-9a-f-]{36}$/.test(taskId) ? await this.tasks.findById(taskId) : null;
      if (task && ACTIVE_STATES.includes(task.state)) continue;
      await rm(join(root, taskId), { recursive: true, force: true });
      removed.push(taskId);
    }
    if (removed.length > 0) this.logger.log(`removed ${removed.length} stale download sandbox(es)`);
    return removed;
  }
}
