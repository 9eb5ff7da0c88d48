import { StreamModule } from '../stream/stream.module.js';
import { FfmpegTranscoder } from './streaming/ffmpeg-transcoder.js';
import { MusicMediaService } from './streaming/music-media.service.js';
import { ResizedCoverCache } from './streaming/resized-cover-cache.js';
import { TranscodeCache } from './streaming/transcode-cache.js';
import { TranscodeSlots } from './streaming/transcode-slots.js';
import { SubsonicFastPath } from './subsonic/subsonic-fast-path.js';
import { SubsonicMediaController } from './subsonic/subsonic-media.controller.js';

/** Music on streamers: Subsonic's byte calls (stream, download, getCoverArt), raw and transcoded. */
export const STREAMER_PARTS = {
  // Its bytes are metered per tenant like /stream's.
  imports: [StreamModule],
  controllers: [SubsonicMediaController],
  providers: [
    MusicMediaService,
    FfmpegTranscoder,
    TranscodeSlots,
    TranscodeCache,
    ResizedCoverCache,
    SubsonicFastPath,
  ],
};
