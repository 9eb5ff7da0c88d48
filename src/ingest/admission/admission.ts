import { Injectable, Logger } from '@nestjs/common';
import { AppError } from '../../core/errors/app-error.js';
import { HeartbeatRepository } from '../../core/heartbeat/heartbeat.repository.js';
import { SettingsService } from '../../core/settings/settings.service.js';
import { formatBytes } from '../../core/util/format-units.js';
import { IngestTaskRepository } from '../ingest-task.repository.js';
import { DailyQuota, type QuotaRequester } from './daily-quota.js';

/**
 * Admission control at submit time: active tasks per user, the daily download quota, and whether any
 * live worker has disk to spare. Each refusal says which limit and what to do.
 */
@Injectable()
export class Admission {
  private readonly logger = new Logger('ingest');
  /** Workers already reported as reading no disk (logged once each, not on every submission). */
  private readonly unknownDiskLogged = new Set<string>();

  constructor(
    private readonly settings: SettingsService,
    private readonly tasks: IngestTaskRepository,
    private readonly quota: DailyQuota,
    private readonly heartbeats: HeartbeatRepository,
  ) {}

  async admit(requester: QuotaRequester): Promise<void> {
    const { maxActivePerUser, minFreeDiskBytes, maxBytesPerDay } = await this.settings.get();
    if ((await this.tasks.countActiveFor(requester.id)) >= maxActivePerUser) {
      throw new AppError(
        429,
        'too_many_tasks',
        `You already have ${maxActivePerUser} tasks running; wait for one to finish.`,
      );
    }
    const left = await this.quota.remaining(requester);
    if (left === 0) {
      throw new AppError(
        429,
        'quota_exceeded',
        `You have used your ${formatBytes(maxBytesPerDay)} daily download quota; it resets at 00:00 UTC.`,
      );
    }
    await this.checkDisk(minFreeDiskBytes);
  }

  /**
   * Refuses only when every live worker is known to be short of disk. With none running the task
   * waits in the queue; a worker whose disk reading failed is unknown, and unknown never refuses (the
   * worker still checks its real free space before downloading).
   */
  private async checkDisk(minFreeDiskBytes: number): Promise<void> {
    const workers = await this.heartbeats.withRole('worker');
    for (const worker of workers) {
      if (worker.disk || this.unknownDiskLogged.has(worker.instanceId)) continue;
      this.unknownDiskLogged.add(worker.instanceId);
      this.logger.warn(
        `worker ${worker.instanceId} reports no disk reading; admission will not refuse on its disk`,
      );
    }
    const disks = workers.map((worker) => worker.disk);
    if (disks.length > 0 && disks.every((disk) => disk !== null && disk.freeBytes < minFreeDiskBytes)) {
      const most = Math.max(...disks.map((disk) => disk!.freeBytes));
      throw new AppError(
        507,
        'insufficient_storage',
        `No worker has disk to spare (the most free is ${formatBytes(most)}; each keeps ${formatBytes(minFreeDiskBytes)} free). Try again once downloads finish or space is freed.`,
      );
    }
  }
}
