import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import { type Queue } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '../../core/config/app-config.js';
import { HeartbeatRepository } from '../../core/heartbeat/heartbeat.repository.js';
import { QueueName } from '../../core/queue/queue-names.js';
import { CatalogQueryService } from '../../library/catalog/catalog-query.service.js';
import { LibraryService } from '../../library/library.service.js';
import { formatBytes, formatDuration } from '../../core/util/format-units.js';
import { escapeHtml } from '../format/text-format.js';

/** `/health` and `/stats` for bot admins. */
@Injectable()
export class BotAdminService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectQueue(QueueName.Ingest) private readonly queue: Queue,
    private readonly heartbeats: HeartbeatRepository,
    private readonly library: LibraryService,
    private readonly catalog: CatalogQueryService,
  ) {}

  async health(): Promise<string> {
    const [instances, counts] = await Promise.all([
      this.heartbeats.list(),
      this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed'),
    ]);
    const now = Date.now();
    const lines = ['<b>StreamVault health</b>', ''];
    for (const instance of instances) {
      const ram = 1 - instance.memory.freeBytes / Math.max(1, instance.memory.totalBytes);
      lines.push(
        `• <b>${escapeHtml(instance.roles.join(', '))}</b> on ${escapeHtml(instance.host)} (pid ${instance.pid}, v${escapeHtml(
          instance.version,
        )}), up ${formatDuration((now - Date.parse(instance.startedAt)) / 1000)}`,
        `  CPU ${Math.round(instance.cpuLoad * 100)}% · RAM ${Math.round(ram * 100)}% · free disk ${
          instance.disk ? formatBytes(instance.disk.freeBytes, { precise: true }) : 'unknown'
        }`,
      );
    }
    if (instances.length === 0) lines.push('No process has reported a heartbeat.');
    const workers = instances.filter((instance) => instance.roles.includes('worker')).length;
    lines.push(
      '',
      `Workers: ${workers}`,
      `Ingest queue: ${counts.waiting ?? 0} waiting · ${counts.active ?? 0} running · ${counts.delayed ?? 0} delayed · ${counts.failed ?? 0} failed`,
    );
    return lines.join('\n');
  }

  async stats(): Promise<string> {
    const [facets, stats] = await Promise.all([this.catalog.facets(), this.library.fileTotals()]);
    return [
      '<b>StreamVault library</b>',
      '',
      `Titles: ${facets.total}`,
      `Files: ${stats.files} · ${formatBytes(stats.bytes, { precise: true })}`,
      `Storage: ${this.config.storage === 'telegram' ? 'Telegram channel' : 'local disk'}`,
    ].join('\n');
  }
}
