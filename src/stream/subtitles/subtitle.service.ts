import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '../../core/errors/app-error.js';
import { RedisMutex } from '../../core/redis/redis-mutex.js';
import { MEDIA_STORE, type MediaStore, type StoredPart } from '../../core/storage/media-store.js';
import { LibraryService } from '../../library/library.service.js';
import { type MediaFile, type StreamInfo } from '../../library/schemas/media-file.schema.js';
import { SubtitleExtractor, TEXT_SUBTITLE_CODECS } from './subtitle-extractor.js';

/** WebVTT for a file's text subtitle tracks: extracted with ffmpeg once, then kept in the store. */
@Injectable()
export class SubtitleService {
  constructor(
    @Inject(MEDIA_STORE) private readonly store: MediaStore,
    private readonly library: LibraryService,
    private readonly extractor: SubtitleExtractor,
    private readonly mutex: RedisMutex,
  ) {}

  /**
   * What a HEAD learns without an extraction: the track can become WebVTT (else the GET's 404/415),
   * and its length once it has been made (undefined before).
   */
  knownLength(file: MediaFile, track: number): number | undefined {
    return convertible(file, track).vtt?.size;
  }

  async webVtt(file: MediaFile, track: number): Promise<Buffer> {
    convertible(file, track);
    // One extraction per track at a time; whoever waited finds the cached result.
    return this.mutex.withLock(
      `subtitle:${String(file._id)}:${track}`,
      async () => {
        const current = await this.library.requireFile(file._id);
        const cached = current.streams.subtitles[track]?.vtt;
        if (cached?.ref) return this.readAll(cached);
        const vtt = await this.extract(file, track);
        const part = await this.keep(vtt, `${String(file._id)}-${track}.vtt`);
        if (!(await this.library.rememberSubtitleVtt(file._id, track, part))) {
          await this.library.discardStored(this.store.kind, [part], 'file deleted while its WebVTT was made');
        }
        return Buffer.from(vtt);
      },
      { ttlMs: 10 * 60 * 1000, waitMs: 10 * 60 * 1000 },
    );
  }

  private async extract(file: MediaFile, track: number): Promise<string> {
    // A sidecar track is its own small file (its WebVTT is made at ingest; this is the fallback).
    const external = file.streams.subtitles[track].external;
    try {
      if (external) {
        return await this.extractor.toWebVtt(this.store.read([external.part], 0, external.part.size - 1), 0);
      }
      return await this.extractor.toWebVtt(this.store.read(file.storage.parts, 0, file.size - 1), track);
    } catch (error) {
      throw new AppError(
        502,
        'subtitle_extraction_failed',
        `ffmpeg could not convert track ${track}: ${firstLine(error)}`,
      );
    }
  }

  private async keep(vtt: string, name: string): Promise<StoredPart> {
    const dir = await mkdtemp(join(tmpdir(), 'sv-vtt-'));
    try {
      const path = join(dir, name);
      await writeFile(path, vtt);
      const [part] = await this.store.put(path, name);
      return part;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async readAll(part: StoredPart): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.store.read([part], 0, part.size - 1)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
}

/** The track, when it exists and is text; 404 or 415 otherwise. */
function convertible(file: MediaFile, track: number): StreamInfo {
  const info = file.streams.subtitles[track];
  if (!info) throw new AppError(404, 'not_found', `File ${String(file._id)} has no subtitle track ${track}.`);
  if (info.bitmap || !TEXT_SUBTITLE_CODECS.has(info.codec)) {
    throw new AppError(
      415,
      'unsupported_media_type',
      `Subtitle track ${track} is ${info.codec}, an image format; it cannot become WebVTT.`,
    );
  }
  return info;
}

function firstLine(error: unknown): string {
  const text = (error as { stderr?: string }).stderr || (error as Error).message || String(error);
  return text.trim().split('\n')[0].slice(0, 200);
}
