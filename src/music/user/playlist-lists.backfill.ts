import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { UserService } from '../../auth/user.service.js';
import { PlaylistRepository } from '../model/playlist.repository.js';
import { retryUntilDone } from '../../core/util/retry-until-done.js';

/**
 * Playlists from before they stored their owner's site and were listed per account and per site get
 * both: each is given its owner's site and listed, then the lists are marked complete (until then,
 * playlists are read with the old scan, and a public one without its site shows to its owner only).
 * A playlist whose account is gone is left out. Idempotent; several managers may run it at once.
 * Retries while the database does not answer.
 */
@Injectable()
export class PlaylistListsBackfill implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('music');
  private stopped = false;

  constructor(
    private readonly playlists: PlaylistRepository,
    private readonly users: UserService,
  ) {}

  onApplicationBootstrap(): void {
    void this.runUntilDone();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
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

  private runUntilDone(): Promise<void> {
    return retryUntilDone(
      () => this.run(),
      () => this.stopped,
      (error) => this.logger.error(`could not list playlists yet: ${error.message}; retrying`),
    );
  }
}
