import { basename } from 'node:path';
import { Injectable } from '@nestjs/common';
import { execa } from 'execa';
import { type StreamInfo } from '../../library/schemas/media-file.schema.js';

export interface ProbeResult {
  duration?: number;
  formatName: string;
  streams: { video: StreamInfo[]; audio: StreamInfo[]; subtitles: StreamInfo[] };
}

interface FfprobeStream {
  index: number;
  codec_type: string;
  codec_name?: string;
  width?: number;
  height?: number;
  channels?: number;
  tags?: { language?: string; title?: string };
  disposition?: { default?: number; forced?: number; attached_pic?: number };
}

const BITMAP_SUBTITLES = new Set(['hdmv_pgs_subtitle', 'dvd_subtitle', 'dvb_subtitle', 'xsub']);

/** ffprobe's JSON, reduced to what the library keeps: duration and tracks with codec and language. */
@Injectable()
export class MediaProber {
  async probe(path: string, signal?: AbortSignal): Promise<ProbeResult> {
    const { stdout } = await execa(
      'ffprobe',
      ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', path],
      { cancelSignal: signal, detached: true, timeout: 120_000 },
    );
    const data = JSON.parse(stdout) as {
      format?: { duration?: string; format_name?: string };
      streams?: FfprobeStream[];
    };
    const streams: ProbeResult['streams'] = { video: [], audio: [], subtitles: [] };
    for (const stream of data.streams ?? []) {
      const info: StreamInfo = {
        index: stream.index,
        codec: stream.codec_name ?? 'unknown',
        language: stream.tags?.language,
        title: stream.tags?.title,
        isDefault: stream.disposition?.default === 1,
        forced: stream.disposition?.forced === 1,
      };
      // Cover art embedded in an audio file or attached to a Matroska file is a picture, not a video track.
      if (stream.codec_type === 'video' && stream.disposition?.attached_pic === 1) continue;
      if (stream.codec_type === 'video')
        streams.video.push({ ...info, width: stream.width, height: stream.height });
      else if (stream.codec_type === 'audio') streams.audio.push({ ...info, channels: stream.channels });
      else if (stream.codec_type === 'subtitle')
        streams.subtitles.push({ ...info, bitmap: BITMAP_SUBTITLES.has(info.codec) });
    }
    const duration = Number(data.format?.duration);
    return {
      duration: Number.isFinite(duration) ? duration : undefined,
      formatName: data.format?.format_name ?? '',
      streams,
    };
  }
}

/** The Content-Type to serve a probed file with. */
export function mimeOf(formatName: string, fileName: string): string {
  if (/matroska/.test(formatName)) return /\.webm$/i.test(fileName) ? 'video/webm' : 'video/x-matroska';
  if (/mp4|mov/.test(formatName)) return 'video/mp4';
  if (/avi/.test(formatName)) return 'video/x-msvideo';
  if (/mpegts/.test(formatName)) return 'video/mp2t';
  if (/webm/.test(formatName)) return 'video/webm';
  return 'application/octet-stream';
}

/**
 * What ffprobe said about a file it could not read, for a task's error: its last line, with the
 * file's path (the worker's sandbox, which users are not shown) cut to its name.
 */
export function ffprobeComplaint(error: unknown, path: string): string {
  const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
  const line = stderr.split('\n').filter(Boolean).at(-1) ?? (error as Error).message;
  return `ffprobe: ${line.replaceAll(path, basename(path)).slice(0, 160)}`;
}
