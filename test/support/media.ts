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
  return encodeVideo(
    join(dir, faststart ? 'test-pattern.mp4' : 'moov-at-end.mp4'),
    `${pattern}=size=${size}:rate=25:duration=${seconds}`,
    seconds,
    { videoArgs: bitrate ? ['-b:v', bitrate] : [], faststart },
  );
}

/**
 * A real video of full-frame noise, encoded losslessly: about 12 MB a second at 640x360, so a few
 * seconds pass size thresholds (the Bot API's 20 MiB download limit) while staying quick to process.
 */
export function noisyVideo(seconds: number, dir = tempDir('sv-video-')): { path: string; bytes: Buffer } {
  return encodeVideo(
    join(dir, 'noise.mp4'),
    `color=c=gray:s=640x360:r=25:d=${seconds},noise=alls=100:allf=t`,
    seconds,
    {
      videoArgs: ['-qp', '0'],
      faststart: true,
    },
  );
}

/** `video` (an ffmpeg lavfi source) plus a 440 Hz tone, H.264/AAC in MP4. */
function encodeVideo(
  path: string,
  video: string,
  seconds: number,
  { videoArgs, faststart }: { videoArgs: string[]; faststart: boolean },
): { path: string; bytes: Buffer } {
  execFileSync('ffmpeg', [
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    video,
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=440:duration=${seconds}`,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    ...videoArgs,
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-shortest',
    ...(faststart ? ['-movflags', '+faststart'] : []),
    path,
  ]);
  return { path, bytes: readFileSync(path) };
}

/** A 160×120 JPEG frame of ffmpeg's test pattern: what ingest's stills look like in the store. */
export function stillJpeg(dir = tempDir('sv-still-')): string {
  const path = join(dir, 'still.jpg');
  execFileSync('ffmpeg', [
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=160x120',
    '-frames:v',
    '1',
    path,
  ]);
  return path;
}
