import { Injectable, type OnModuleInit } from '@nestjs/common';
import { type TenantDependent, TenantDependents } from '../../core/tenancy/tenant-dependents.js';
import { MusicRepository } from '../model/music.repository.js';
import { PlaylistRepository } from '../model/playlist.repository.js';
import { MusicUserService } from './music-user.service.js';

/** A purged tenant's accounts leave no playlists, stars, ratings, play counts or "now playing" behind. */
@Injectable()
export class TenantMusicCleanup implements TenantDependent, OnModuleInit {
  readonly name = 'music playlists, user data and now playing';

  constructor(
    private readonly music: MusicRepository,
    private readonly playlists: PlaylistRepository,
    private readonly users: MusicUserService,
    private readonly dependents: TenantDependents,
  ) {}

  onModuleInit(): void {
    this.dependents.register(this);
  }

  async purgeTenant(tenantId: string, accountIds: readonly string[]): Promise<void> {
    await this.playlists.deleteForTenant(tenantId, accountIds);
    await this.music.deleteForUsers(accountIds);
    await this.users.forgetSite(tenantId);
  }
}
