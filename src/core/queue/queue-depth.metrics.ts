import { getQueueToken } from '@nestjs/bullmq';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { type Queue } from 'bullmq';
import { Gauge } from 'prom-client';
import { MetricsRegistry } from '../metrics/metrics-registry.js';
import { withTimeout } from '../util/with-timeout.js';
import { ALL_QUEUES } from './queue-names.js';

const STATES = [
  'waiting',
  'active',
  'delayed',
  'failed',
  'completed',
  'prioritized',
  'waiting-children',
] as const;

/** `streamvault_queue_jobs{queue,state}`, read from Redis at scrape time. */
@Injectable()
export class QueueDepthMetrics implements OnModuleInit {
  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly metrics: MetricsRegistry,
  ) {}

  onModuleInit(): void {
    const queues = ALL_QUEUES.map((name) =>
      this.moduleRef.get<Queue>(getQueueToken(name), { strict: false }),
    );
    new Gauge({
      name: 'streamvault_queue_jobs',
      help: 'Jobs per BullMQ queue and state',
      labelNames: ['queue', 'state'],
      registers: [this.metrics.registry],
      async collect() {
        // A scrape must answer even while Redis is away: skip the figures rather than hang.
        const results = await Promise.allSettled(
          queues.map((queue) => withTimeout(queue.getJobCounts(...STATES), 1000, 'queue depth')),
        );
        this.reset();
        results.forEach((result, index) => {
          if (result.status !== 'fulfilled') return;
          for (const state of STATES)
            this.set({ queue: queues[index].name, state }, result.value[state] ?? 0);
        });
      },
    });
  }
}
