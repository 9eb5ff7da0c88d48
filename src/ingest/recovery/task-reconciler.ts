import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../core/config/app-config.js';
import { RedisMutex } from '../../core/redis/redis-mutex.js';
import { IngestTaskRepository, needsWorker } from '../ingest-task.repository.js';
import { IngestQueue } from '../queue/ingest-queue.js';
import { StuckTasks } from './stuck-tasks.js';

/** Runs of one task (each worker start counts) after which a task that keeps losing its worker fails. */
export const MAX_TASK_RUNS = 8;
/** An in-flight entry without its task is a submission that died between the two writes, once this old. */
const ORPHAN_ENTRY_AGE_MS = 60_000;

export interface ReconcileRound {
  checked: number;
  requeued: string[];
  failed: string[];
  dropped: number;
}

/**
 * Managers make sure every task that needs a worker has a job: MongoDB is the record of truth for
 * tasks, the queue is not. Each round (one manager at a time) walks the in-flight set and queues again
 * any stuck task (see StuckTasks), resuming it from its last finished step as after a crash. The first
 * round after a start also rebuilds the in-flight set from a scan of the tasks.
 */
@Injectable()
export class TaskReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ingest');
  private timer?: NodeJS.Timeout;
  private backfilled = false;
  private running?: Promise<unknown>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tasks: IngestTaskRepository,
    private readonly queue: IngestQueue,
    private readonly stuck: StuckTasks,
    private readonly mutex: RedisMutex,
  ) {}

  onApplicationBootstrap(): void {
    const seconds = this.config.ingest.reconcileIntervalSeconds;
    if (seconds === 0) return;
    this.timer = setInterval(() => void this.tick(), seconds * 1000);
    this.timer.unref();
    void this.tick();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = this.round()
      .catch((error: Error) => this.logger.warn(`task reconciliation skipped: ${error.message}`))
      .finally(() => (this.running = undefined));
    await this.running;
  }

  /** One round, if no other manager is doing one. */
  async round(now = Date.now()): Promise<ReconcileRound | undefined> {
    const ttlMs = Math.max(this.config.ingest.reconcileIntervalSeconds, 30) * 1000;
    // Renewed while it runs: a round past its lock time (a first round's full scan on FerretDB) would
    // let another manager start one beside it.
    return this.mutex.ifFree('ingest-reconcile', () => this.reconcile(now), ttlMs, { renew: true });
  }

  private async reconcile(now: number): Promise<ReconcileRound> {
    if (!this.backfilled) {
      for (const task of await this.tasks.scanNeedingWorker()) await this.tasks.markInFlight(task);
      this.backfilled = true;
    }
    const report: ReconcileRound = { checked: 0, requeued: [], failed: [], dropped: 0 };
    for (const entry of await this.tasks.inFlight()) {
      report.checked++;
      const task = await this.tasks.findById(entry._id);
      if (!task) {
        if (now - new Date(entry.createdAt).getTime() > ORPHAN_ENTRY_AGE_MS) {
          await this.tasks.dropInFlight(entry._id);
          report.dropped++;
        }
        continue;
      }
      if (!needsWorker(task)) {
        await this.tasks.dropInFlight(entry._id);
        report.dropped++;
        continue;
      }
      if (!(await this.stuck.isStuck(task, entry, now))) continue;
      if (task.attempts >= MAX_TASK_RUNS && task.state === 'done') {
        // Playable already; only its stills are missing, and the panel's explorer can make them.
        await this.tasks.artifactsFinished(task._id);
        this.logger.warn(`task ${task._id}: gave up on its stills after ${task.attempts} runs`);
        report.failed.push(task._id);
        continue;
      }
      if (task.attempts >= MAX_TASK_RUNS) {
        const error = `gave up after ${task.attempts} runs: the workers running it kept stopping before it finished`;
        await this.tasks.update(task._id, { error }, 'failed');
        this.logger.warn(`task ${task._id}: ${error}`);
        report.failed.push(task._id);
        continue;
      }
      await this.queue.requeue(task._id);
      this.logger.warn(
        `task ${task._id} (${task.state}) had no job in the queue and no worker at it; queued again`,
      );
      report.requeued.push(task._id);
    }
    return report;
  }
}
