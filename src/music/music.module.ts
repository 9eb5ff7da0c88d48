import { type DynamicModule, Module } from '@nestjs/common';
import { Role } from '../app/roles.js';
import { AudioKindRegistration } from './ingest/audio-kind-registration.js';
import { AudioProcessor } from './ingest/audio.processor.js';
import { MusicRepository } from './model/music.repository.js';

/**
 * Music: on workers it adds the `audio` kind to ingest's processor registry (albums, artists and
 * tracks from tags); managers answer the Subsonic API; streamers serve the bytes (raw and transcoded)
 * and cover art.
 */
@Module({})
export class MusicModule {
  static forRoles(roles: readonly Role[]): DynamicModule {
    const worker = roles.includes(Role.Worker);
    return {
      module: MusicModule,
      controllers: [],
      providers: [MusicRepository, ...(worker ? [AudioProcessor, AudioKindRegistration] : [])],
    };
  }
}
