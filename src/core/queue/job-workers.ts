import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { Worker } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { JOB_HANDLER_METADATA } from './job-handler.decorator.js';
import { type DiscoveredHandler, type JobHandlerFn, JobHandlerRegistry } from './job-handler-registry.js';
import { ALL_JOBS, type QueueName, queueOfJob } from './queue-names.js';
import { queueConnection } from './queue-connection.js';

/**
 * How fast a job of a killed worker (kill -9, lost machine) moves to another one. BullMQ renews a
 * running job's lock on a timer for as long as the job runs (hours, for a big download), so the lock
 * itself can be short: it lapses `lockDuration` after the worker dies at the latest, and the next
 * stalled check (every `stalledInterval`, shared by all workers) hands the job over — within about
 * 1.7 × `stalledAfterMs`. Renewing every third of the lock leaves room for two missed renewals before a
 * busy but living worker would lose its job. A job handed over this way resumes from its task's last
 * finished step, so stalling several times is no reason to fail it (the task reconciler gives up on
 * a task that keeps killing its workers).
 */
export function stallTimings(stalledAfterMs: number) {
  return {
    lockDuration: stalledAfterMs,
    lockRenewTime: Math.round(stalledAfterMs / 3),
    stalledInterval: Math.round((stalledAfterMs * 2) / 3),
    maxStalledCount: 5,
  };
}

/**
 * The consumer side, present only in the worker role: finds every `@JobHandler`, checks that each job
 * has exactly one, and runs one BullMQ worker per queue that carries jobs.
 */
@Injectable()
export class JobWorkers implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('jobs');
  private readonly workers: Worker[] = [];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onApplicationBootstrap(): void {
    const registry = new JobHandlerRegistry(ALL_JOBS, this.discoverHandlers());
    const queues = new Set<QueueName>(ALL_JOBS.flatMap((job) => queueOfJob(job) ?? []));
    const { connection, prefix } = queueConnection(this.config);
    for (const queue of queues) {
      const worker = new Worker(
        queue,
        async (job) => {
          const handle = registry.get(job.name);
          if (!handle) throw new Error(`no handler for job "${job.name}" on queue "${queue}"`);
          return handle(job.data, job);
        },
        {
          connection,
          prefix,
          autorun: true,
          ...stallTimings(this.config.queue.stalledAfterMs),
        },
      );
      worker.on('error', (error) => this.logger.error(`worker for queue "${queue}": ${error.message}`));
      this.workers.push(worker);
    }
    this.logger.log(`processing ${registry.size} job type(s) on ${queues.size} queue(s)`);
  }

  /** Stop taking jobs and let the running ones finish; unfinished ones are picked up again as stalled. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close()));
  }

  private discoverHandlers(): DiscoveredHandler[] {
    const found: DiscoveredHandler[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const job = this.reflector.get<string | undefined>(
          JOB_HANDLER_METADATA,
          instance[method] as () => void,
        );
        if (job === undefined) continue;
        const handle = (instance[method] as JobHandlerFn).bind(instance);
        found.push({ job, owner: `${wrapper.name as string}.${method}`, handle });
      }
    }
    return found;
  }
}
