import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { Injectable } from '@nestjs/common';
import { fileTypeFromFile } from 'file-type';
import { ffprobeComplaint, MediaProber, mimeOf } from '../processing/media-prober.js';
import { type ItemProbe, type MediaKind } from './ingest-item.js';

export interface Classification {
  kind: MediaKind;
  /** ffprobe's reading, when it was needed to tell video from audio (kept for processing). */
  probe?: ItemProbe;
  /** Why a file claiming to be media cannot be read, or what an `other` file is. */
  reason?: string;
  /** subtitle: srt, ass or vtt. */
  format?: string;
}

const VIDEO_NAMES = /\.(mkv|mp4|m4v|avi|mov|wmv|webm|ts|m2ts|mts|flv|mpg|mpeg|ogv|3gp)$/i;
const COMIC_NAMES = /\.(cbz|cbr|cb7|cbt)$/i;
const ARCHIVE_MIMES = new Set([
  'application/zip',
  'application/x-rar-compressed',
  'application/vnd.rar',
  'application/x-7z-compressed',
  'application/x-tar',
]);
const SNIFF_BYTES = 4096;

/**
 * Tells what a file is from its content: magic bytes first (the `file-type` library), then ffprobe
 * for containers that may hold video or only audio (Matroska, MP4, Ogg...), then a look at text for
 * subtitles. The name decides only where content says nothing (a damaged `.mkv` is still a video —
 * one that fails with the reason — and an `.nfo` is release notes).
 */
@Injectable()
export class MediaClassifier {
  constructor(private readonly prober: MediaProber) {}

  async classify(path: string, name: string, signal?: AbortSignal): Promise<Classification> {
    const type = await fileTypeFromFile(path).catch(() => undefined);
    const mime = type?.mime ?? '';
    if (mime === 'application/pdf') return { kind: 'comic' };
    if (mime.startsWith('image/')) return { kind: 'image' };
    if (ARCHIVE_MIMES.has(mime)) {
      return COMIC_NAMES.test(name)
        ? { kind: 'comic' }
        : {
            kind: 'other',
            reason: `an archive inside the source (${type!.ext}); archives in packs are not unpacked`,
          };
    }
    if (mime.startsWith('video/') || (mime.startsWith('audio/') && /mp4|m4a|ogg|matroska|webm/.test(mime)))
      return this.probe(path, name, signal);
    if (mime.startsWith('audio/')) return { kind: 'audio' };
    if (!type) {
      const subtitle = await sniffSubtitle(path);
      if (subtitle) return { kind: 'subtitle', format: subtitle };
      if (VIDEO_NAMES.test(name)) return this.probe(path, name, signal);
      return { kind: 'other', reason: describeOther(name) };
    }
    return { kind: 'other', reason: `not media (${mime})` };
  }

  /** Video if ffprobe finds a picture track, audio if only sound; unreadable media stay "video" and fail. */
  private async probe(path: string, name: string, signal?: AbortSignal): Promise<Classification> {
    try {
      const result = await this.prober.probe(path, signal);
      const probe: ItemProbe = {
        duration: result.duration,
        formatName: result.formatName,
        mime: mimeOf(result.formatName, name),
        streams: result.streams,
      };
      if (result.streams.video.length > 0) return { kind: 'video', probe };
      if (result.streams.audio.length > 0) return { kind: 'audio', probe };
      return { kind: 'video', reason: 'ffprobe found no video or audio track in it' };
    } catch (error) {
      if (signal?.aborted) throw error;
      return { kind: 'video', reason: `not a readable video: ${ffprobeComplaint(error, path)}` };
    }
  }
}

/** srt, ass or vtt when the file's start reads as that subtitle format. */
export async function sniffSubtitle(path: string): Promise<string | undefined> {
  const file = await open(path, 'r');
  let head: Buffer;
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await file.read(buffer, 0, SNIFF_BYTES, 0);
    head = buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
  let text: string;
  if (head[0] === 0xff && head[1] === 0xfe) text = head.subarray(2).toString('utf16le');
  else if (head.includes(0)) return undefined;
  else text = head.toString('utf8').replace(/^\uFEFF/, '');
  text = text.replace(/\r\n?/g, '\n').trimStart();
  if (/^WEBVTT/.test(text)) return 'vtt';
  if (/^\[Script Info\]/i.test(text)) return 'ass';
  if (/^\d+\n\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s*-->\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}/.test(text)) return 'srt';
  return undefined;
}

function describeOther(name: string): string {
  const extension = extname(name).toLowerCase();
  if (extension === '.nfo') return 'release notes (.nfo); not media';
  if (['.txt', '.md', '.url', '.html', '.htm'].includes(extension))
    return `a text file (${extension}); not media`;
  if (['.srt', '.ass', '.ssa', '.vtt'].includes(extension))
    return `named like a subtitle (${extension}) but not one inside`;
  if (['.torrent', '.sfv', '.md5', '.sha1', '.par2'].includes(extension))
    return `a checksum or index file (${extension}); not media`;
  return `not media (${extension || 'no extension'}, unknown content)`;
}
