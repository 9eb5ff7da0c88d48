import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { Types } from 'mongoose';
import { MEDIA_STORE, type MediaStore } from '../../core/storage/media-store.js';
import { ExpiringMap } from '../../core/util/expiring-map.js';
import { FileChangeBus } from '../../library/file-change.bus.js';
import { FileScopes } from '../../library/file-scopes.js';
import { LibraryService } from '../../library/library.service.js';
import { type MediaFile } from '../../library/schemas/media-file.schema.js';
import { sendMedia } from '../../stream/http/send-media.js';
import { representationOf } from '../../stream/http/representation.js';
import { TenantUsageMeter } from '../../stream/usage/tenant-usage.meter.js';
import { TenantContext } from '../../core/tenancy/tenant-context.js';
import { resizeCover } from '../ingest/cover-art.js';
import { albumInScope } from '../model/album-scope.js';
import { MusicCoverRepository } from '../model/music-cover.repository.js';
import { kindOfId, trackId } from '../model/music-ids.js';
import { indexAfterData, MP4_SUFFIXES } from '../mp4/mp4-layout.js';
import { MusicRepository } from '../model/music.repository.js';
import { type MusicAlbum, type MusicTrack } from '../model/music.schema.js';
import { SubsonicError, SubsonicErrorCode } from '../subsonic/subsonic-response.js';
import { FfmpegTranscoder } from './ffmpeg-transcoder.js';
import { ResizedCoverCache } from './resized-cover-cache.js';
import { TranscodeCache } from './transcode-cache.js';
import { TRANSCODE_FORMATS, type TranscodePlan } from './transcode-format.js';
import { TranscodeBusyError, TranscodeSlots, TranscodeWaitAbandoned } from './transcode-slots.js';

interface TrackRecord {
  track: MusicTrack;
  album: MusicAlbum | null;
  file: MediaFile;
}

interface TranscodeSource {
  input: Readable | string;
  cleanup?: () => Promise<void>;
}

/** Sides a resized cover comes in: a size asked rounds up to one (clients scale down), so the cache holds a bounded set. */
export const COVER_SIZES = [64, 128, 256, 512, 1024] as const;

/** The cover getCoverArt answers: its stored file, and the side and cache entry when resized. */
export interface CoverArt {
  coverFileId: string;
  etag: string;
  side?: number;
  cacheName?: string;
}

/** An album as its scope is judged (kept in memory for a cover's albums). */
type ScopedAlbum = Pick<MusicAlbum, '_id' | 'genres'>;

/** Tracks whose record a streamer keeps in memory, and for how long (a deleted file stops within this). */
const RECENT_TRACKS = 2000;
const RECENT_TRACK_MS = 60_000;

/**
 * Music bytes on streamers: a track's original bytes (RFC 9110 ranges, through the stream engine's
 * `sendMedia`), a transcode streamed as ffmpeg makes it (and kept once finished), and cover art.
 */
@Injectable()
export class MusicMediaService implements OnModuleInit {
  private readonly logger = new Logger('music');
  private readonly recent = new ExpiringMap<string, TrackRecord>(RECENT_TRACKS, RECENT_TRACK_MS);
  /** Cover files and their albums, kept like track records (the scope is judged per request). */
  private readonly recentCovers = new ExpiringMap<string, ScopedAlbum[]>(RECENT_TRACKS, RECENT_TRACK_MS);
  /** Stored MP4 files and whether their index follows their data (the bytes of a file never change). */
  private readonly layouts = new Map<string, boolean>();

  constructor(
    @Inject(MEDIA_STORE) private readonly store: MediaStore,
    private readonly library: LibraryService,
    private readonly fileScopes: FileScopes,
    private readonly repository: MusicRepository,
    private readonly covers: MusicCoverRepository,
    private readonly transcoder: FfmpegTranscoder,
    private readonly slots: TranscodeSlots,
    private readonly cache: TranscodeCache,
    private readonly usage: TenantUsageMeter,
    private readonly resizedCovers: ResizedCoverCache,
    private readonly fileChanges: FileChangeBus,
  ) {}

  /**
   * Lets the library ask about a track's or a cover's file on `/stream` of a scoped site (the web
   * player's links): a track goes with its album, a cover with its albums (shown when any of them is).
   */
  async onModuleInit(): Promise<void> {
    this.fileScopes.register({
      inScope: async (file) => {
        const fileId = String(file._id);
        const cover = this.recentCovers.get(fileId);
        if (cover) return cover.some(albumInScope);
        const record = await this.record(trackId(fileId)).catch(() => undefined);
        if (record) return albumInScope(record.album);
        return (await this.coverAlbums(fileId))?.some(albumInScope);
      },
    });
    // A cover file deleted anywhere takes its resized copies with it (else they sit in the cache's cap
    // until used least). A lost subscription (no ids) says nothing was deleted.
    await this.fileChanges.listen((fileIds) => {
      if (!fileIds) return;
      this.resizedCovers
        .removeFiles(fileIds)
        .catch((error: Error) => this.logger.warn(`resized covers not removed: ${error.message}`));
    });
  }

  /** The albums a cover file belongs to (one `_id` read, then one per album, at once); undefined for no cover. */
  private async coverAlbums(fileId: string): Promise<ScopedAlbum[] | undefined> {
    const albumIds = await this.covers.albumsOf(fileId);
    if (!albumIds) return undefined;
    const found = await Promise.all(albumIds.map((id) => this.repository.findAlbum(id)));
    const albums = found.filter((album) => album !== null).map(({ _id, genres }) => ({ _id, genres }));
    this.recentCovers.set(fileId, albums);
    return albums;
  }

  /** A track and its stored file; Subsonic error 70 when the current site's scope leaves out its album. */
  async track(id: string): Promise<{ track: MusicTrack; file: MediaFile }> {
    const { track, album, file } = await this.record(id);
    if (!albumInScope(album)) throw trackNotFound(id);
    return { track, file };
  }

  /**
   * A track, its album and its stored file, kept a minute in memory (whatever the site: the scope is
   * judged per request): a client plays (and seeks) one track in many requests.
   */
  private async record(id: string): Promise<TrackRecord> {
    const cached = this.recent.get(id);
    if (cached) return cached;
    const track = kindOfId(id) === 'track' ? await this.repository.findTrack(id) : null;
    if (!track) throw trackNotFound(id);
    const [album, file] = await Promise.all([
      this.repository.findAlbum(track.albumId),
      this.library.requireFileUnscoped(new Types.ObjectId(track.fileId)),
    ]);
    const value = { track, album, file };
    this.recent.set(id, value);
    return value;
  }

  /** The stored bytes; `attachment` makes it a download (Subsonic `download`) rather than playback. */
  async sendOriginal(
    req: IncomingMessage,
    res: ServerResponse,
    file: MediaFile,
    disposition: 'inline' | 'attachment' = 'inline',
  ): Promise<void> {
    const tenantId = TenantContext.current().id;
    const representation = representationOf(file);
    await sendMedia(
      req,
      res,
      file,
      {
        open: (start, end) => this.store.read(file.storage.parts, start, end),
        onBytes: (count) => this.usage.served(tenantId, count),
      },
      disposition === 'attachment'
        ? { ...representation, disposition: representation.disposition.replace(/^inline/, 'attachment') }
        : representation,
    );
  }

  /**
   * Streams the transcode as ffmpeg produces it (no length: chunked); the finished result is cached
   * for the next request. The client going away kills ffmpeg at once and drops the partial file; one
   * that goes away before ffmpeg started (waiting for a slot, or for the source) gets none.
   */
  async sendTranscode(
    res: ServerResponse,
    track: MusicTrack,
    file: MediaFile,
    plan: TranscodePlan,
  ): Promise<void> {
    // Watched before any wait: 'close' fires once, and a listener added after it would never hear it.
    const gone = new AbortController();
    res.once('close', () => gone.abort());
    const tenantId = TenantContext.current().id;
    const key = transcodeKey(track, plan);
    const cacheable = plan.offset === 0;
    const cached = cacheable ? await this.cache.find(key) : undefined;
    if (gone.signal.aborted) return;
    this.setTranscodeHeaders(res, track, plan, cached);
    if (cached) {
      await new Promise<void>((resolve) => {
        const stream = createReadStream(cached.path);
        stream.on('error', () => res.destroy());
        stream.on('data', (chunk: string | Buffer) => this.usage.served(tenantId, chunk.length));
        gone.signal.addEventListener(
          'abort',
          () => {
            stream.destroy();
            resolve();
          },
          { once: true },
        );
        stream.pipe(res);
      });
      return;
    }
    let release: () => void;
    try {
      release = await this.slots.acquire(gone.signal);
    } catch (error) {
      if (error instanceof TranscodeWaitAbandoned) return;
      if (error instanceof TranscodeBusyError)
        throw new SubsonicError(SubsonicErrorCode.Generic, error.message);
      throw error;
    }
    let source: TranscodeSource | undefined;
    let partial: string | undefined;
    try {
      source = await this.transcodeSource(key, track, file);
      partial = cacheable ? await this.cache.partialPath(key) : undefined;
    } catch (error) {
      release();
      if (source) await dropSource(source);
      throw error;
    }
    if (gone.signal.aborted) {
      release();
      await dropSource(source);
      return;
    }
    const running = this.transcoder.start(source.input, plan);
    const copy = partial ? createWriteStream(partial) : undefined;
    // A cache that cannot be written (a full disk) only costs the cache entry, never the stream.
    copy?.on('error', (error) => this.logger.warn(`transcode cache write failed: ${error.message}`));
    let finished = false;
    res.setHeader('X-Transcode-Cache', 'miss');
    gone.signal.addEventListener(
      'abort',
      () => {
        if (!finished) running.kill();
      },
      { once: true },
    );
    const outputEnded = new Promise<void>((resolve) => running.output.once('end', resolve));
    running.output.on('data', (chunk: Buffer) => {
      if (copy && !copy.destroyed) copy.write(chunk);
      if (res.destroyed) return;
      this.usage.served(tenantId, chunk.length);
      if (!res.write(chunk)) running.output.pause();
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
   * What a GET of the transcode would answer, without its body (HEAD): no slot and no ffmpeg, and a
   * length only when the transcode is already cached.
   */
  async sendTranscodeHeaders(res: ServerResponse, track: MusicTrack, plan: TranscodePlan): Promise<void> {
    const cached = plan.offset === 0 ? await this.cache.find(transcodeKey(track, plan)) : undefined;
    this.setTranscodeHeaders(res, track, plan, cached);
    if (!cached) res.setHeader('X-Transcode-Cache', 'miss');
    res.statusCode = 200;
    res.end();
  }

  private setTranscodeHeaders(
    res: ServerResponse,
    track: MusicTrack,
    plan: TranscodePlan,
    cached: { size: number } | undefined,
  ): void {
    res.setHeader('Content-Type', TRANSCODE_FORMATS[plan.format].contentType);
    res.setHeader('Cache-Control', 'private, no-transform');
    if (track.duration)
      res.setHeader('X-Content-Duration', String(Math.max(0, track.duration - plan.offset)));
    if (cached) {
      res.setHeader('Content-Length', cached.size);
      res.setHeader('X-Transcode-Cache', 'hit');
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

  /**
   * Which cover answers getCoverArt for an album, a track's album or an artist's first album with
   * one (only of albums the current site's scope shows), at which side, and its ETag: all from the
   * records, so a HEAD or a revalidation never resizes. A size asked rounds up to one of COVER_SIZES.
   */
  async locateCover(id: string, size: number | undefined): Promise<CoverArt> {
    const coverFileId = await this.coverFileOf(id);
    if (!coverFileId)
      throw new SubsonicError(SubsonicErrorCode.NotFound, `Cover art not found: ${id.slice(0, 60)}`);
    // Past the largest side: the stored cover (at most 1200 px, it is never enlarged anyway).
    const side = size === undefined ? undefined : COVER_SIZES.find((listed) => listed >= size);
    if (side === undefined) return { coverFileId, etag: `"${coverFileId}"` };
    return { coverFileId, side, etag: `"${coverFileId}-${side}"`, cacheName: `${coverFileId}-${side}.jpg` };
  }

  /** The cover's length when known without reading or resizing it (a resized one not cached yet: not). */
  async coverLength(cover: CoverArt): Promise<number | undefined> {
    if (cover.cacheName) return this.resizedCovers.size(cover.cacheName);
    return (await this.storedCover(cover.coverFileId)).size;
  }

  /** The cover's bytes: stored, or resized once per cover and side and then read from the cache. */
  async coverBytes(cover: CoverArt): Promise<Buffer> {
    const { cacheName, side } = cover;
    if (!cacheName || !side) return this.readCover(cover.coverFileId);
    const cached = await this.resizedCovers.get(cacheName);
    if (cached) return cached;
    // One resize for a burst of requests for the same cover and side (a grid of clients scrolling in).
    let resize = this.resizingCovers.get(cacheName);
    if (!resize) {
      resize = this.resizeCover(cover.coverFileId, side, cacheName).finally(() =>
        this.resizingCovers.delete(cacheName),
      );
      this.resizingCovers.set(cacheName, resize);
    }
    return resize;
  }

  private readonly resizingCovers = new Map<string, Promise<Buffer>>();

  private async resizeCover(coverFileId: string, side: number, cacheName: string): Promise<Buffer> {
    const resized = await resizeCover(await this.readCover(coverFileId), side);
    // Best effort: a cache that cannot be written (a full disk) only costs the next request a resize.
    await this.resizedCovers
      .put(cacheName, resized)
      .catch((error: unknown) => this.logger.warn(`cover cache write failed: ${(error as Error).message}`));
    return resized;
  }

  /** A cover is stored beside the tracks and has no title of its own: the album decided its scope. */
  private storedCover(coverFileId: string): Promise<MediaFile> {
    return this.library.requireFileUnscoped(new Types.ObjectId(coverFileId));
  }

  private async readCover(coverFileId: string): Promise<Buffer> {
    const file = await this.storedCover(coverFileId);
    return buffer(this.store.read(file.storage.parts, 0, file.size - 1));
  }

  private async coverFileOf(id: string): Promise<string | undefined> {
    switch (kindOfId(id)) {
      case 'album': {
        const album = await this.repository.findAlbum(id);
        return albumInScope(album) ? album?.coverFileId : undefined;
      }
      case 'track': {
        const record = await this.record(id).catch(() => undefined);
        if (!record || !albumInScope(record.album)) return undefined;
        return record.track.coverFileId ?? record.album?.coverFileId;
      }
      case 'artist': {
        for (const albumId of (await this.repository.findArtist(id))?.albumIds ?? []) {
          const album = await this.repository.findAlbum(albumId);
          if (album?.coverFileId && albumInScope(album)) return album.coverFileId;
        }
        return undefined;
      }
      default:
        return undefined;
    }
  }
}

/** A transcode's cache key: the same bytes in the same format and bitrate. */
function transcodeKey(track: MusicTrack, plan: TranscodePlan): string {
  return createHash('sha1').update(`${track.fileId}|${plan.format}|${plan.kbps}`).digest('hex');
}

/** A source ffmpeg will not read after all: its stream closed, its local copy removed. */
async function dropSource(source: TranscodeSource): Promise<void> {
  if (typeof source.input !== 'string') source.input.destroy();
  await source.cleanup?.();
}

function trackNotFound(id: string): SubsonicError {
  return new SubsonicError(SubsonicErrorCode.NotFound, `Song not found: ${id.slice(0, 60)}`);
}
