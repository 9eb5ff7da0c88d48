import { type DynamicModule, Module } from '@nestjs/common';
import { Role } from '../app/roles.js';
import { MusicChangeLog } from './model/music-change-log.js';
import { MusicCoverBackfill } from './model/music-cover-backfill.js';
import { MusicCoverRepository } from './model/music-cover.repository.js';
import { MusicRepository } from './model/music.repository.js';
import { SubsonicAuth } from './subsonic/subsonic-auth.js';

/**
 * Music: on workers it adds the `audio` kind to ingest's processor registry (albums, artists and
 * tracks from tags); managers answer the Subsonic API and the web player's `/api/music`; streamers
 * serve the bytes (raw and transcoded) and cover art. Each role's part is imported only for that
 * role (see their files), so a streamer never loads the ingest side or the catalog.
 */
@Module({})
export class MusicModule {
  static async forRoles(roles: readonly Role[]): Promise<DynamicModule> {
    const manager = roles.includes(Role.Manager)
      ? (await import('./music-manager-parts.js')).MANAGER_PARTS
      : undefined;
    const streamer = roles.includes(Role.Streamer)
      ? (await import('./music-streamer-parts.js')).STREAMER_PARTS
      : undefined;
    const worker = roles.includes(Role.Worker)
      ? (await import('./music-worker-parts.js')).WORKER_PARTS
      : undefined;
    return {
      module: MusicModule,
      // The byte routes are registered first: `/rest/stream` is theirs, every other `/rest/:method` the API's.
      imports: [...(streamer?.imports ?? [])],
      controllers: [...(streamer?.controllers ?? []), ...(manager?.controllers ?? [])],
      providers: [
        MusicRepository,
        MusicChangeLog,
        MusicCoverRepository,
        MusicCoverBackfill,
        ...(manager || streamer ? [SubsonicAuth] : []),
        ...(manager?.providers ?? []),
        ...(streamer?.providers ?? []),
        ...(worker?.providers ?? []),
      ],
    };
  }
}
