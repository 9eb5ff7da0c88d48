import { type Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';

/** Subtitle codecs that are text (convertible to WebVTT); image-based ones (PGS, VobSub, DVB) are not. */
export const TEXT_SUBTITLE_CODECS = new Set(['subrip', 'srt', 'ass', 'ssa', 'mov_text', 'webvtt', 'text']);

/**
 * ffmpeg turns subtitle track `track` (its position among the file's subtitle tracks) of the media read
 * from `input` into WebVTT. The child runs in its own process group and is killed if the input fails.
 */
@Injectable()
export class SubtitleExtractor {
  async toWebVtt(input: Readable, track: number): Promise<string> {
    // Loaded on first use: a streamer that never converts a track never loads execa.
    const { execa } = await import('execa');
    const child = execa(
      'ffmpeg',
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-i',
        'pipe:0',
        '-map',
        `0:s:${track}`,
        '-f',
        'webvtt',
        'pipe:1',
      ],
      {
        input,
        detached: true,
        stripFinalNewline: false,
        maxBuffer: 64 * 1024 * 1024,
        timeout: 10 * 60 * 1000,
      },
    );
    input.once('error', () => child.kill('SIGKILL'));
    const { stdout } = await child;
    return stdout;
  }
}
