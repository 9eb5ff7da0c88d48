import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root, whether this runs from test/ sources or the compiled .build/test. */
export const PROJECT_ROOT = (() => {
  const here = dirname(fileURLToPath(import.meta.url));
  return here.includes(`${join('.build', 'test')}`) ? join(here, '..', '..', '..') : join(here, '..', '..');
})();

/** The compiled entry point the tests start, built from the same sources as dist/main.js. */
export const MAIN_JS = join(PROJECT_ROOT, '.build', 'src', 'main.js');

/** A worker whose store pauses after writing each upload (crash tests kill it inside that window). */
export const SLOW_UPLOAD_WORKER_JS = join(PROJECT_ROOT, '.build', 'test', 'support', 'slow-upload-worker.js');
