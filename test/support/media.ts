import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A file of `size` random bytes; returns its path and contents. */
export function randomFile(size: number, dir = tempDir('sv-media-')): { path: string; bytes: Buffer } {
  const bytes = randomBytes(size);
  const path = join(dir, `random-${size}.bin`);
  writeFileSync(path, bytes);
  return { path, bytes };
}

/**
 * A short real video made by ffmpeg (test pattern + tone), H.264/AAC in MP4, with its index (moov) at
 * the front, or — `faststart: false`, ffmpeg's default — at the end. `size`, `bitrate` and the busier
 * `testsrc2` pattern make bigger files for benchmarks.
 */
export function testVideo(
  seconds = 2,
  dir = tempDir('sv-video-'),
  {
    faststart = true,
    size = '320x240',
    bitrate,
    pattern = 'testsrc',
  }: { faststart?: boolean; size?: string; bitrate?: string; pattern?: 'testsrc' | 'testsrc2' } = {},
): { path: string; bytes: Buffer } {
  const path = join(dir, faststart ? 'test-pattern.mp4' : 'moov-at-end.mp4');
  execFileSync('ffmpeg', [
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `${pattern}=size=${size}:rate=25:duration=${seconds}`,
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=440:duration=${seconds}`,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    ...(bitrate ? ['-b:v', bitrate] : []),
    '-shortest',
    ...(faststart ? ['-movflags', '+faststart'] : []),
    path,
  ]);
  return { path, bytes: readFileSync(path) };
}
