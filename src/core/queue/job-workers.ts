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
          // A worker killed mid-job (kill -9, lost machine) stops renewing the lock; after this long
          // another worker takes the job over and resumes it from its last finished step.
          lockDuration: this.config.queue.stalledAfterMs,
          stalledInterval: this.config.queue.stalledAfterMs,
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
