import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../core/config/app-config.js';
import { IngestTaskRepository } from './ingest-task.repository.js';
import { ACTIVE_STATES } from './schemas/ingest-task.schema.js';

/**
 * At worker boot, removes download sandboxes (DATA_DIR/downloads/<taskId>) whose task is no longer
 * active — left behind by a crash or a cancel that hit a dead worker. Active tasks keep theirs: the
 * job resumes from the bytes already there.
 */
@Injectable()
export class SandboxSweeper implements OnApplicationBootstrap {
  private readonly logger = new Logger('ingest');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tasks: IngestTaskRepository,
  ) {}

  onApplicationBootstrap(): void {
    void this.sweep().catch((error: Error) => this.logger.warn(`sandbox sweep failed: ${error.message}`));
  }

  async sweep(): Promise<string[]> {
    const root = join(this.config.dataDir, 'downloads');
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
