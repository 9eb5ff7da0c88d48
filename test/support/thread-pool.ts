import { execFileSync } from 'node:child_process';
import { close, closeSync, open, openSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './media.js';

/**
 * Occupies every thread of libuv's pool (`UV_THREADPOOL_SIZE`, 4 by default): each is left blocked
 * opening a FIFO nobody writes to, so any fs call queued after them waits until `release`, which
 * resolves once the pool is free again.
 */
export function occupyThreadPool(): { release: () => Promise<void> } {
  const fifo = join(tempDir('sv-pool-'), 'blocked');
  execFileSync('mkfifo', [fifo]);
  const threads = Number(process.env.UV_THREADPOOL_SIZE) || 4;
  const opened = Array.from(
    { length: threads },
    () =>
      new Promise<void>((resolve, reject) =>
        open(fifo, 'r', (error, fd) => (error ? reject(error) : close(fd, () => resolve()))),
      ),
  );
  return {
    release: async () => {
      // Opened for reading and writing, a FIFO never blocks (Linux), and it lets every waiting open through.
      const writer = openSync(fifo, 'r+');
      try {
        await Promise.all(opened);
      } finally {
        closeSync(writer);
      }
    },
  };
}
