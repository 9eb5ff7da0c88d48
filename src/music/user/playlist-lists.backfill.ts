import { Injectable, Logger } from '@nestjs/common';
import { UserService } from '../../auth/user.service.js';
import { BootDataJob } from '../../core/util/boot-data-job.js';
import { PlaylistRepository } from '../model/playlist.repository.js';

/**
 * Playlists from before they stored their owner's site and were listed per account and per site get
 * both: each is given its owner's site and listed, then the lists are marked complete (until then,
 * playlists are read with the old scan, and a public one without its site shows to its owner only).
 * A playlist whose account is gone is left out.
 */
@Injectable()
export class PlaylistListsBackfill extends BootDataJob {
  protected readonly logger = new Logger('music');
  protected readonly task = 'list playlists';

  constructor(
    private readonly playlists: PlaylistRepository,
    private readonly users: UserService,
  ) {
    super();
  }

  /** Returns how many playlists it listed (0 when the lists were complete already). */
  async run(): Promise<number> {
    if (await this.playlists.isBackfilled()) return 0;
    let listed = 0;
    for await (const playlist of this.playlists.each()) {
      const site = playlist.tenantId ?? (await this.users.tenantOf(playlist.owner));
      if (!site) continue;
      await this.playlists.backfill(playlist._id, site);
      listed++;
    }
    await this.playlists.markBackfilled();
    if (listed > 0) this.logger.log(`playlists are listed per account and site now: ${listed} listed`);
    return listed;
  }
}
