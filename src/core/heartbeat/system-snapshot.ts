import { statfs } from 'node:fs/promises';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { type InstanceHeartbeat } from './instance-heartbeat.js';

type SystemFields = Pick<InstanceHeartbeat, 'cpuLoad' | 'memory' | 'disk'>;

/**
 * CPU, memory and free disk of this machine, as shown on the dashboard and the bot's status footer.
 * A disk that cannot be read is unknown (null), never 0 B: admission would read 0 as "full".
 */
export async function systemSnapshot(dataDir: string): Promise<SystemFields> {
  const disk = await statfs(dataDir).then(
    (stats) => ({ freeBytes: stats.bavail * stats.bsize, totalBytes: stats.blocks * stats.bsize }),
    () => null,
  );
  return {
    cpuLoad: Math.round((loadavg()[0]! / Math.max(1, cpus().length)) * 100) / 100,
    memory: { rssBytes: process.memoryUsage.rss(), totalBytes: totalmem(), freeBytes: freemem() },
    disk,
  };
}
