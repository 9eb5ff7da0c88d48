import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { type Queue } from 'bullmq';
import { HeartbeatRepository } from '../../core/heartbeat/heartbeat.repository.js';
import { QueueName } from '../../core/queue/queue-names.js';
import { withTimeout } from '../../core/util/with-timeout.js';
import { LibraryService } from '../../library/library.service.js';
import { CatalogQueryService } from '../../library/catalog/catalog-query.service.js';
import { TITLE_KINDS } from '../../library/schemas/title.schema.js';
import { StreamUsageReader } from '../../stream/usage/stream-usage.reader.js';
import { formatAgo, formatBytes, formatDuration } from '../../core/util/format-units.js';

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;

/** The dashboard's figures, read fresh on each visit: queues, processes, library size. */
@Injectable()
export class DashboardService {
  constructor(
    @InjectQueue(QueueName.Ingest) private readonly ingestQueue: Queue,
    @InjectQueue(QueueName.Library) private readonly libraryQueue: Queue,
    private readonly heartbeats: HeartbeatRepository,
    private readonly catalog: CatalogQueryService,
    private readonly library: LibraryService,
    private readonly streamUsage: StreamUsageReader,
  ) {}

  async overview() {
    const [queues, instances, titleCounts, files, streams] = await Promise.all([
      this.queueDepths(),
      this.heartbeats.list(),
      this.titleCounts(),
      this.library.fileTotals(),
      this.streamUsage.read().catch(() => undefined),
    ]);
    return {
      queues,
      instances: instances.map((instance) => ({
        id: instance.instanceId,
        roles: instance.roles.join(', '),
        host: instance.host,
        version: instance.version,
        cpu: `${Math.round(instance.cpuLoad * 100)}%`,
        memory: `${formatBytes(instance.memory.rssBytes)} (host ${formatBytes(instance.memory.totalBytes - instance.memory.freeBytes)} / ${formatBytes(instance.memory.totalBytes)})`,
        disk: instance.disk
          ? `${formatBytes(instance.disk.freeBytes)} free of ${formatBytes(instance.disk.totalBytes)}`
          : 'unknown',
        seen: formatAgo(instance.at),
        up: formatDuration((Date.now() - new Date(instance.startedAt).getTime()) / 1000),
      })),
      roleCounts: ['manager', 'worker', 'streamer'].map((role) => ({
        role,
        count: instances.filter((instance) => instance.roles.includes(role)).length,
      })),
      streams: streams
        ? { active: streams.active, servedToday: formatBytes(streams.bytesToday) }
        : { unavailable: true },
      library: {
        titles: titleCounts,
        totalTitles: titleCounts.reduce((sum, entry) => sum + entry.count, 0),
        files: files.files,
        stored: formatBytes(files.bytes),
      },
    };
  }

  private async titleCounts() {
    const { kinds } = await this.catalog.facets();
    return TITLE_KINDS.map((kind) => ({ kind, count: kinds.find((k) => k.value === kind)?.count ?? 0 }));
  }

  /** Per queue and state; a queue Redis cannot answer for in time shows as unavailable. */
  private async queueDepths() {
    return Promise.all(
      [this.ingestQueue, this.libraryQueue].map(async (queue) => {
        try {
          const counts = await withTimeout(queue.getJobCounts(...QUEUE_STATES), 2000, 'queue depth');
          return {
            name: queue.name,
            states: QUEUE_STATES.map((state) => ({ state, count: counts[state] ?? 0 })),
          };
        } catch {
          return { name: queue.name, unavailable: true, states: [] };
        }
      }),
    );
  }
}
