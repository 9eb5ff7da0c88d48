import { Injectable } from '@nestjs/common';
import { AppError } from '../core/errors/app-error.js';
import { TenantContext } from '../core/tenancy/tenant-context.js';
import { TenantUsageRepository, usageDay } from '../core/tenancy/tenant-usage.repository.js';

/** A franchise tenant's `commentsPerDay` quota: counted per UTC day in Redis, 429 past it. */
@Injectable()
export class CommentQuota {
  constructor(private readonly usage: TenantUsageRepository) {}

  async take(): Promise<void> {
    const tenant = TenantContext.current();
    const limit = tenant.quotas.commentsPerDay;
    if (limit === undefined) return;
    if ((await this.usage.countComment(tenant.id, usageDay())) > limit) {
      throw new AppError(
        429,
        'quota_exceeded',
        `This site takes ${limit} comments a day; try again tomorrow.`,
      );
    }
  }
}
