import { Injectable, type OnModuleInit } from '@nestjs/common';
import { type TenantDependent, TenantDependents } from '../core/tenancy/tenant-dependents.js';
import { CommentRepository } from './comment.repository.js';
import { EpisodeCommentRepository } from './episode-comment.repository.js';

/** A purged tenant's comments go: title comments with their threads in the index, and episode threads. */
@Injectable()
export class TenantCommentsCleanup implements TenantDependent, OnModuleInit {
  readonly name = 'comments';

  constructor(
    private readonly comments: CommentRepository,
    private readonly episodeComments: EpisodeCommentRepository,
    private readonly dependents: TenantDependents,
  ) {}

  onModuleInit(): void {
    this.dependents.register(this);
  }

  async purgeTenant(tenantId: string): Promise<void> {
    await this.comments.deleteForTenant(tenantId);
    await this.episodeComments.deleteForTenant(tenantId);
  }
}
