import { rename, rm } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { Injectable } from '@nestjs/common';
import { execa } from 'execa';
import sharp from 'sharp';
import { needsFaststart } from './mp4-atoms.js';

export const SCREENSHOT_POSITIONS = [0.25, 0.5, 0.75] as const;
const SCREENSHOT_WIDTH = 1280;
const SAMPLE_SECONDS = 30;

/** ffmpeg work on a downloaded video, always without re-encoding the media itself (the video processor and the explorer use it). */
@Injectable()
export class VideoTools {
  /** Moves an MP4's index to the front (stream copy). Returns whether the file was rewritten. */
  async faststart(path: string, signal?: AbortSignal): Promise<boolean> {
    if (!/\.(mp4|m4v|mov)$/i.test(path) || !(await needsFaststart(path))) return false;
    const temp = `${path}.faststart${extname(path)}`;
    try {
      await ffmpeg(['-i', path, '-map', '0', '-c', 'copy', '-movflags', '+faststart', temp], signal);
      await rename(temp, path);
      return true;
    } finally {
      await rm(temp, { force: true });
    }
  }

  /** Stills at 25/50/75% of the duration, resized to at most 1280 px wide, as WebP. */
  async screenshots(path: string, duration: number, dir: string, signal?: AbortSignal): Promise<string[]> {
    const shots: string[] = [];
    for (const [index, position] of SCREENSHOT_POSITIONS.entries()) {
      const frame = join(dir, `frame-${index}.png`);
      await ffmpeg(
        ['-ss', (duration * position).toFixed(3), '-i', path, '-frames:v', '1', '-an', frame],
        signal,
      );
      const out = join(dir, `screenshot-${index + 1}.webp`);
      await sharp(frame)
        .resize({ width: SCREENSHOT_WIDTH, withoutEnlargement: true })
        .webp({ quality: 80 })
        .toFile(out);
      await rm(frame, { force: true });
      shots.push(out);
    }
    return shots;
  }

  /** A 30 s clip from 10% in, cut on keyframes with stream copy (whole file when it is shorter). */
  async sample(path: string, duration: number, dir: string, signal?: AbortSignal): Promise<string> {
    const extension = /\.(mp4|m4v|mov)$/i.test(path) ? '.mp4' : '.mkv';
    const out = join(dir, `sample${extension}`);
    const start = duration > SAMPLE_SECONDS * 2 ? duration * 0.1 : 0;
    const movflags = extension === '.mp4' ? ['-movflags', '+faststart'] : [];
    await ffmpeg(
      [
        '-ss',
        start.toFixed(3),
        '-i',
        path,
        '-t',
        String(SAMPLE_SECONDS),
        '-map',
        '0:v?',
        '-map',
        '0:a?',
        '-c',
        'copy',
        ...movflags,
        out,
      ],
      signal,
    );
    return out;
  }
}

/** ffmpeg in its own process group, killed with the group when `signal` aborts. */
async function ffmpeg(args: string[], signal?: AbortSignal): Promise<void> {
  await execa('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], {
    cancelSignal: signal,
    detached: true,
    forceKillAfterDelay: 2000,
    timeout: 30 * 60 * 1000,
  });
}
