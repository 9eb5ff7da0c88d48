import { readFile, rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { execa } from 'execa';
import { Types } from 'mongoose';
import { MEDIA_STORE, type MediaStore, type StoredPart } from '../../core/storage/media-store.js';
import { LibraryService } from '../../library/library.service.js';
import { sniffSubtitle } from '../items/media-classifier.js';
import { subtitleTags } from '../items/subtitle-language.js';
import { sha256File } from '../processing/checksum.js';
import { ItemFailedError, type ItemContext, type MediaKindProcessor } from './media-kind-processor.js';

const CODECS: Record<string, string> = { srt: 'subrip', ass: 'ass', vtt: 'webvtt' };

/**
 * Sidecar subtitles (`Show.S01E02.en.srt` beside `Show.S01E02.mkv`): checked by converting them to
 * WebVTT, stored (the original and the WebVTT), and added to their video's file as a text track with
 * the language their name gives, so `/subtitles/...` serves them like embedded tracks.
 */
@Injectable()
export class SubtitleProcessor implements MediaKindProcessor {
  readonly kind = 'subtitle' as const;
  readonly stage = 'companion' as const;

  constructor(
    @Inject(MEDIA_STORE) private readonly store: MediaStore,
    private readonly library: LibraryService,
  ) {}

  async process(context: ItemContext): Promise<void> {
    const { item, path, signal } = context;
    const video = item.companionOf === undefined ? undefined : context.items()[item.companionOf];
    if (!video?.fileId || (video.state !== 'stored' && video.state !== 'done')) {
      await context.record({
        state: 'skipped',
        error: `its video (${video?.name ?? 'none'}) was not ingested`,
      });
      return;
    }
    const fileId = new Types.ObjectId(video.fileId);
    const sha256 = item.checksum ?? (await sha256File(path, signal));
    const file = await this.library.requireFile(fileId);
    if (file.streams.subtitles.some((track) => track.external?.sha256 === sha256)) {
      await context.record({ state: 'done', checksum: sha256, fileId: video.fileId });
      return;
    }
    const format = (await sniffSubtitle(path)) ?? 'srt';
    const vttPath = `${path}.vtt`;
    try {
      await toWebVtt(path, vttPath, signal);
      const key = `${context.task._id}-${context.index}`;
      const [original] = await this.store.put(path, basename(item.name), { key });
      const [vtt] = await this.store.put(vttPath, `${basename(item.name)}.vtt`, { key: `${key}-vtt` });
      const tags = subtitleTags(item.name);
      const added = await this.library.addExternalSubtitle(fileId, {
        codec: CODECS[format] ?? 'subrip',
        language: item.language ?? 'und',
        title: tags.flags.length ? tags.flags.map((flag) => flag.toUpperCase()).join(' ') : undefined,
        forced: tags.forced,
        isDefault: false,
        vtt,
        external: { part: original, sha256, name: item.name },
      });
      // Attached meanwhile by another run: these copies are not needed.
      if (!added) await this.dropCopies([original, vtt]);
      await context.record({
        state: 'done',
        checksum: sha256,
        fileId: video.fileId,
        storedParts: added ? [original, vtt] : undefined,
      });
    } finally {
      await rm(vttPath, { force: true });
    }
  }

  private async dropCopies(parts: StoredPart[]): Promise<void> {
    for (const part of parts) await this.store.delete(part.ref).catch(() => undefined);
  }
}

/** ffmpeg's WebVTT of a subtitle file; text that is not UTF-8 is read as Windows-1252 (most old .srt). */
async function toWebVtt(path: string, out: string, signal: AbortSignal): Promise<void> {
  const utf8 = isUtf8(await readFile(path));
  try {
    await execa(
      'ffmpeg',
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-y',
        ...(utf8 ? [] : ['-sub_charenc', 'CP1252']),
        '-i',
        path,
        '-f',
        'webvtt',
        out,
      ],
      { cancelSignal: signal, detached: true, timeout: 120_000 },
    );
  } catch (error) {
    if (signal.aborted) throw error;
    const stderr = String((error as { stderr?: unknown }).stderr ?? (error as Error).message).trim();
    throw new ItemFailedError(`not a readable subtitle: ${stderr.split('\n').at(-1)?.slice(0, 160)}`);
  }
  if ((await readFile(out, 'utf8')).replace(/^WEBVTT\s*/, '').trim() === '') {
    throw new ItemFailedError('the subtitle file has no cues');
  }
}

function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}
