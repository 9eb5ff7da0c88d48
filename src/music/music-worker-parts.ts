import { AudioKindRegistration } from './ingest/audio-kind-registration.js';
import { AudioProcessor } from './ingest/audio.processor.js';

/**
 * Music's ingest side: the `audio` kind's processor (music-metadata, sharp, ffmpeg checks) and its
 * registration with ingest. Loaded by `MusicModule` on workers only.
 */
export const WORKER_PARTS = { providers: [AudioProcessor, AudioKindRegistration] };
