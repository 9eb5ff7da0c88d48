import { Injectable, type OnModuleInit } from '@nestjs/common';
import { type TenantDependent, TenantDependents } from '../../core/tenancy/tenant-dependents.js';
import { MusicRepository } from '../model/music.repository.js';

/** A purged tenant's accounts leave no playlists, stars, ratings or play counts behind. */
@Injectable()
export class TenantMusicCleanup implements TenantDependent, OnModuleInit {
  readonly name = 'music playlists and user data';

  constructor(
    private readonly music: MusicRepository,
    private readonly dependents: TenantDependents,
  ) {}

  onModuleInit(): void {
    this.dependents.register(this);
  }

  purgeTenant(_tenantId: string, accountIds: readonly string[]): Promise<void> {
    return this.music.deleteForUsers(accountIds);
  }
}
