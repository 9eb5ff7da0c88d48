import { Injectable } from '@nestjs/common';
import { AppError } from '../../core/errors/app-error.js';
import { HeartbeatRepository } from '../../core/heartbeat/heartbeat.repository.js';
import { type Identity } from '../../core/identity/identity.js';
import { SettingsService } from '../../core/settings/settings.service.js';
import { formatBytes } from '../../core/util/format-units.js';
import { IngestTaskRepository } from '../ingest-task.repository.js';
import { DailyQuota } from './daily-quota.js';

/**
 * Admission control at submit time: active tasks per user, the daily download quota, and whether any
 * live worker has disk to spare. Each refusal says which limit and what to do.
 */
@Injectable()
export class Admission {
  constructor(
    private readonly settings: SettingsService,
    private readonly tasks: IngestTaskRepository,
    private readonly quota: DailyQuota,
    private readonly heartbeats: HeartbeatRepository,
  ) {}

  async admit(requester: Identity): Promise<void> {
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
    // Only live workers count: with none running the task simply waits in the queue.
    const workers = await this.heartbeats.withRole('worker');
    if (workers.length > 0 && workers.every((worker) => worker.disk.freeBytes < minFreeDiskBytes)) {
      const most = Math.max(...workers.map((worker) => worker.disk.freeBytes));
      throw new AppError(
        507,
        'insufficient_storage',
        `No worker has disk to spare (the most free is ${formatBytes(most)}; each keeps ${formatBytes(minFreeDiskBytes)} free). Try again once downloads finish or space is freed.`,
      );
    }
  }
}
