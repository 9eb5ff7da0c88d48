import { type DynamicModule, Module } from '@nestjs/common';
import { Role } from '../app/roles.js';
import { MusicCatalog } from './catalog/music-catalog.js';
import { AudioKindRegistration } from './ingest/audio-kind-registration.js';
import { AudioProcessor } from './ingest/audio.processor.js';
import { MusicRepository } from './model/music.repository.js';
import { FfmpegTranscoder } from './streaming/ffmpeg-transcoder.js';
import { MusicMediaService } from './streaming/music-media.service.js';
import { TranscodeCache } from './streaming/transcode-cache.js';
import { TranscodeSlots } from './streaming/transcode-slots.js';
import { SubsonicAuth } from './subsonic/subsonic-auth.js';
import { SubsonicMediaController } from './subsonic/subsonic-media.controller.js';
import { SubsonicController } from './subsonic/subsonic.controller.js';
import { SubsonicService } from './subsonic/subsonic.service.js';
import { MusicUserService } from './user/music-user.service.js';
import { MusicBrowseService } from './web/music-browse.service.js';
import { MusicLinks } from './web/music-links.js';
import { MusicController } from './web/music.controller.js';

/**
 * Music: on workers it adds the `audio` kind to ingest's processor registry (albums, artists and
 * tracks from tags); managers answer the Subsonic API and the web player's `/api/music`; streamers
 * serve the bytes (raw and transcoded) and cover art.
 */
@Module({})
export class MusicModule {
  static forRoles(roles: readonly Role[]): DynamicModule {
    const manager = roles.includes(Role.Manager);
    const worker = roles.includes(Role.Worker);
    const streamer = roles.includes(Role.Streamer);
    return {
      module: MusicModule,
      // The byte routes are registered first: `/rest/stream` is theirs, every other `/rest/:method` the API's.
      controllers: [
        ...(streamer ? [SubsonicMediaController] : []),
        ...(manager ? [SubsonicController, MusicController] : []),
      ],
      providers: [
        MusicRepository,
        ...(manager || streamer ? [SubsonicAuth] : []),
        ...(manager ? [MusicCatalog, MusicUserService, SubsonicService, MusicBrowseService, MusicLinks] : []),
        ...(streamer ? [MusicMediaService, FfmpegTranscoder, TranscodeSlots, TranscodeCache] : []),
        ...(worker ? [AudioProcessor, AudioKindRegistration] : []),
      ],
    };
  }
}
