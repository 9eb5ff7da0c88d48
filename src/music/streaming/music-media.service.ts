import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Types } from 'mongoose';
import { MEDIA_STORE, type MediaStore } from '../../core/storage/media-store.js';
import { LibraryService } from '../../library/library.service.js';
import { type MediaFile } from '../../library/schemas/media-file.schema.js';
import { sendMedia } from '../../stream/http/send-media.js';
import { resizeCover } from '../ingest/cover-art.js';
import { kindOfId } from '../model/music-ids.js';
import { indexAfterData, MP4_SUFFIXES } from '../mp4/mp4-layout.js';
import { MusicRepository } from '../model/music.repository.js';
import { type MusicTrack } from '../model/music.schema.js';
import { SubsonicError, SubsonicErrorCode } from '../subsonic/subsonic-response.js';
import { FfmpegTranscoder } from './ffmpeg-transcoder.js';
import { TranscodeCache } from './transcode-cache.js';
import { TRANSCODE_FORMATS, type TranscodePlan } from './transcode-format.js';
import { TranscodeBusyError, TranscodeSlots } from './transcode-slots.js';

interface TranscodeSource {
  input: Readable | string;
  cleanup?: () => Promise<void>;
}

/** Tracks whose record a streamer keeps in memory, and for how long (a deleted file stops within this). */
const RECENT_TRACKS = 2000;
const RECENT_TRACK_MS = 60_000;

/**
 * Music bytes on streamers: a track's original bytes (RFC 9110 ranges, through the stream engine's
 * `sendMedia`), a transcode streamed as ffmpeg makes it (and kept once finished), and cover art.
 */
@Injectable()
export class MusicMediaService {
  private readonly logger = new Logger('music');
  private readonly recent = new Map<
    string,
    { value: { track: MusicTrack; file: MediaFile }; until: number }
  >();
  /** Stored MP4 files and whether their index follows their data (the bytes of a file never change). */
  private readonly layouts = new Map<string, boolean>();

  constructor(
    @Inject(MEDIA_STORE) private readonly store: MediaStore,
    private readonly library: LibraryService,
    private readonly repository: MusicRepository,
    private readonly transcoder: FfmpegTranscoder,
    private readonly slots: TranscodeSlots,
    private readonly cache: TranscodeCache,
  ) {}

  /** A track and its stored file, kept a minute in memory: a client plays (and seeks) one track in many requests. */
  async track(id: string): Promise<{ track: MusicTrack; file: MediaFile }> {
    const cached = this.recent.get(id);
    if (cached && cached.until > Date.now()) return cached.value;
    const track = kindOfId(id) === 'track' ? await this.repository.findTrack(id) : null;
    if (!track) throw new SubsonicError(SubsonicErrorCode.NotFound, `Song not found: ${id.slice(0, 60)}`);
    const value = { track, file: await this.library.requireFile(new Types.ObjectId(track.fileId)) };
    if (this.recent.size >= RECENT_TRACKS) this.recent.delete(this.recent.keys().next().value!);
    this.recent.set(id, { value, until: Date.now() + RECENT_TRACK_MS });
    return value;
  }

  /** The stored bytes; `attachment` makes it a download (Subsonic `download`) rather than playback. */
  async sendOriginal(
    req: IncomingMessage,
    res: ServerResponse,
    file: MediaFile,
    disposition: 'inline' | 'attachment' = 'inline',
  ): Promise<void> {
    await sendMedia(req, res, file, {
      open: (start, end) => {
        if (disposition === 'attachment') {
          res.setHeader(
            'Content-Disposition',
            String(res.getHeader('Content-Disposition')).replace(/^inline/, 'attachment'),
          );
        }
        return this.store.read(file.storage.parts, start, end);
      },
      onBytes: () => {},
    });
  }

  /**
   * Streams the transcode as ffmpeg produces it (no length: chunked); the finished result is cached
   * for the next request. The client going away kills ffmpeg at once and drops the partial file.
   */
  async sendTranscode(
    res: ServerResponse,
    track: MusicTrack,
    file: MediaFile,
    plan: TranscodePlan,
  ): Promise<void> {
    const spec = TRANSCODE_FORMATS[plan.format];
    const key = createHash('sha1').update(`${track.fileId}|${plan.format}|${plan.kbps}`).digest('hex');
    const cacheable = plan.offset === 0;
    const cached = cacheable ? await this.cache.find(key) : undefined;
    res.setHeader('Content-Type', spec.contentType);
    res.setHeader('Cache-Control', 'private, no-transform');
    if (track.duration)
      res.setHeader('X-Content-Duration', String(Math.max(0, track.duration - plan.offset)));
    if (cached) {
      res.setHeader('Content-Length', cached.size);
      res.setHeader('X-Transcode-Cache', 'hit');
      await new Promise<void>((resolve) => {
        const stream = createReadStream(cached.path);
        stream.on('error', () => res.destroy());
        res.once('close', () => {
          stream.destroy();
          resolve();
        });
        stream.pipe(res);
      });
      return;
    }
    let release: () => void;
    try {
      release = await this.slots.acquire();
    } catch (error) {
      if (error instanceof TranscodeBusyError)
        throw new SubsonicError(SubsonicErrorCode.Generic, error.message);
      throw error;
    }
    let source: TranscodeSource;
    try {
      source = await this.transcodeSource(key, track, file);
    } catch (error) {
      release();
      throw error;
    }
    const partial = cacheable ? await this.cache.partialPath(key) : undefined;
    const running = this.transcoder.start(source.input, plan);
    const copy = partial ? createWriteStream(partial) : undefined;
    // A cache that cannot be written (a full disk) only costs the cache entry, never the stream.
    copy?.on('error', (error) => this.logger.warn(`transcode cache write failed: ${error.message}`));
    let finished = false;
    res.setHeader('X-Transcode-Cache', 'miss');
    res.once('close', () => {
      if (!finished) running.kill();
    });
    const outputEnded = new Promise<void>((resolve) => running.output.once('end', resolve));
    running.output.on('data', (chunk: Buffer) => {
      if (copy && !copy.destroyed) copy.write(chunk);
      if (!res.destroyed && !res.write(chunk)) running.output.pause();
    });
    res.on('drain', () => running.output.resume());
    try {
      await Promise.all([running.done, outputEnded]);
      finished = true;
      res.end();
      if (copy && partial) {
        await new Promise<void>((resolve, reject) =>
          copy.end((error?: Error | null) => (error ? reject(error) : resolve())),
        );
        await this.cache.commit(key, partial);
      }
    } catch (error) {
      finished = true;
      copy?.destroy();
      if (partial) await this.cache.discard(partial);
      if ((error as Error).message !== 'transcode cancelled') {
        this.logger.warn(`transcode of ${track._id} failed: ${(error as Error).message}`);
      }
      res.destroy();
    } finally {
      release();
      await source.cleanup?.();
    }
  }

  /**
   * What ffmpeg reads: the stored bytes through a pipe, or — for an M4A whose index follows its data
   * (stored before ingest moved indexes first), which ffmpeg cannot read from a pipe — a local copy
   * it can seek in, written to the cache folder and removed after.
   */
  private async transcodeSource(key: string, track: MusicTrack, file: MediaFile): Promise<TranscodeSource> {
    const whole = () => this.store.read(file.storage.parts, 0, file.size - 1);
    if (!MP4_SUFFIXES.has(track.suffix.toLowerCase()) || !(await this.indexAtEnd(file))) {
      return { input: whole() };
    }
    const path = await this.cache.partialPath(`${key}-source`);
    try {
      await pipeline(whole(), createWriteStream(path));
    } catch (error) {
      await this.cache.discard(path);
      throw error;
    }
    return { input: path, cleanup: () => this.cache.discard(path) };
  }

  /** Whether a stored MP4's index follows its data: a few 16-byte reads once per file, then kept. */
  private async indexAtEnd(file: MediaFile): Promise<boolean> {
    const id = String(file._id);
    let known = this.layouts.get(id);
    if (known === undefined) {
      known = await indexAfterData(
        (offset, length) =>
          buffer(this.store.read(file.storage.parts, offset, Math.min(offset + length, file.size) - 1)),
        file.size,
      );
      if (this.layouts.size >= RECENT_TRACKS) this.layouts.delete(this.layouts.keys().next().value!);
      this.layouts.set(id, known);
    }
    return known;
  }

  /** The cover of an album, a track's album or an artist's first album with one, at most `size` px a side. */
  async coverArt(id: string, size: number | undefined): Promise<Buffer> {
    const coverFileId = await this.coverFileOf(id);
    if (!coverFileId)
      throw new SubsonicError(SubsonicErrorCode.NotFound, `Cover art not found: ${id.slice(0, 60)}`);
    const file = await this.library.requireFile(new Types.ObjectId(coverFileId));
    const bytes = await buffer(this.store.read(file.storage.parts, 0, file.size - 1));
    return size ? resizeCover(bytes, size) : bytes;
  }

  private async coverFileOf(id: string): Promise<string | undefined> {
    switch (kindOfId(id)) {
      case 'album':
        return (await this.repository.findAlbum(id))?.coverFileId;
      case 'track': {
        const track = await this.repository.findTrack(id);
        return (
          track?.coverFileId ??
          (track ? (await this.repository.findAlbum(track.albumId))?.coverFileId : undefined)
        );
      }
      case 'artist': {
        for (const albumId of (await this.repository.findArtist(id))?.albumIds ?? []) {
          const cover = (await this.repository.findAlbum(albumId))?.coverFileId;
          if (cover) return cover;
        }
        return undefined;
      }
      default:
        return undefined;
    }
  }
}
