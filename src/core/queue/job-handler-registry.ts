import { type Job } from 'bullmq';

export type JobHandlerFn = (data: unknown, job: Job) => Promise<unknown>;

export interface DiscoveredHandler {
  job: string;
  owner: string;
  handle: JobHandlerFn;
}

export class JobHandlerRegistryError extends Error {}

/**
 * One handler per job, checked as a whole: a job without a handler, a job with two, or a handler for a
 * job nobody declared is a boot error naming every offender.
 */
export class JobHandlerRegistry {
  private readonly handlers = new Map<string, JobHandlerFn>();

  constructor(declared: readonly string[], discovered: readonly DiscoveredHandler[]) {
    const problems: string[] = [];
    const owners = new Map<string, string[]>();
    for (const handler of discovered) {
      owners.set(handler.job, [...(owners.get(handler.job) ?? []), handler.owner]);
      if (!declared.includes(handler.job)) {
        problems.push(`${handler.owner} handles unknown job "${handler.job}"`);
      }
    }
    for (const job of declared) {
      const jobOwners = owners.get(job) ?? [];
      if (jobOwners.length === 0) problems.push(`job "${job}" has no handler`);
      if (jobOwners.length > 1)
        problems.push(`job "${job}" has ${jobOwners.length} handlers (${jobOwners.join(', ')})`);
    }
    if (problems.length > 0) throw new JobHandlerRegistryError(problems.join('; '));
    for (const handler of discovered) this.handlers.set(handler.job, handler.handle);
  }

  get(job: string): JobHandlerFn | undefined {
    return this.handlers.get(job);
  }

  get size(): number {
    return this.handlers.size;
  }
}
