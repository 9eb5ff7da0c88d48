import { type Queue } from 'bullmq';

/**
 * The job id to add a "do this for X" job under, where `jobId` keeps one pending job per X. A job under
 * way has already read X, so a request arriving meanwhile would be swallowed by the id it still holds:
 * that request gets one follow-up under a second id instead.
 */
export async function followUpJobId(queue: Queue, jobId: string): Promise<string> {
  const running = await queue.getJob(jobId);
  if (running !== undefined && (await running.getState()) === 'active') return `${jobId}-again`;
  return jobId;
}
