import { ComicKindRegistration } from './comic/comic-kind-registration.js';
import { ComicProcessor } from './comic/comic.processor.js';

/**
 * ReadVault's ingest side: the `comic` kind's processor and its registration. It extracts archives
 * (execa, node-unrar-js's WebAssembly, tar-stream) and measures pages (sharp), so `ReadVaultModule`
 * loads this file only on workers: a streamer serving pages never loads any of that.
 */
export const WORKER_PARTS = { providers: [ComicProcessor, ComicKindRegistration] };
