import { rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { type AudioItemInfo, type IngestItem } from '../../ingest/items/ingest-item.js';
import { sha256File } from '../../ingest/processing/checksum.js';
import { ContentStore } from '../../ingest/processing/content-store.js';
import {
  type ItemContext,
  ItemFailedError,
  type MediaKindProcessor,
  resumedAsStored,
} from '../../ingest/processors/media-kind-processor.js';
import { artistId, trackId } from '../model/music-ids.js';
import { MusicRepository } from '../model/music.repository.js';
import { type MusicTrack } from '../model/music.schema.js';
import { type AlbumGroup, groupAlbums } from './album-grouping.js';
import { undecodableReason } from './audio-decode-check.js';
import { readAudioTags } from './audio-tags.js';
import { coverJpeg, isCoverName } from './cover-art.js';
import { faststartCopy } from './mp4-faststart.js';

/**
 * Music files (the `audio` kind: MP3, FLAC, Ogg/Opus, M4A/AAC/ALAC, WAV): checked with ffmpeg,
 * described from their tags (or names), stored once like any file, with the album cover (embedded,
 * or the pack's cover.jpg / folder.jpg) resized and stored beside them; filed as tracks of albums.
 */
@Injectable()
export class AudioProcessor implements MediaKindProcessor {
  readonly kind = 'audio' as const;
  readonly stage = 'main' as const;
  private readonly logger = new Logger('music');

  constructor(
    private readonly content: ContentStore,
    private readonly music: MusicRepository,
  ) {}

  async process(context: ItemContext): Promise<void> {
    if (await resumedAsStored(context)) return;
    const problem = await undecodableReason(context.path, context.signal);
    if (problem) throw new ItemFailedError(problem);
    const { info, picture } = await readAudioTags(
      context.path,
      context.item.name,
      context.item.probe?.duration,
    );
    const coverFileId = await this.storeCover(context, picture);
    const stored = await this.faststart(context, info.suffix);
    try {
      await this.store(context, stored, { ...info, coverFileId });
    } finally {
      if (stored !== context.path) await rm(stored, { force: true });
    }
  }

  /** The file to store: an M4A with its index at the end is rewritten with the index first. */
  private async faststart(context: ItemContext, suffix: string): Promise<string> {
    const rewritten = await faststartCopy(context.path, suffix, context.signal);
    if (!rewritten) return context.path;
    if ('failed' in rewritten) {
      this.logger.warn(`${context.item.name}: index left at the end (${rewritten.failed})`);
      return context.path;
    }
    this.logger.log(`${context.item.name}: index moved before the audio (faststart)`);
    return rewritten.path;
  }

  private async store(context: ItemContext, path: string, audio: AudioItemInfo): Promise<void> {
    const checksum = await sha256File(path, context.signal);
    const name = context.item.name.slice(context.item.name.lastIndexOf('/') + 1);
    const { file, reused } = await this.content.storeOnce({
      sha256: checksum,
      path,
      name,
      key: `${context.task._id}-${context.index}`,
      uploaded: context.item.uploadedParts ?? [],
      onUploaded: async (uploadedParts) => {
        await context.record({ uploadedParts });
      },
      facts: {
        mime: audio.contentType,
        fileName: name,
        duration: audio.duration,
        streams: context.item.probe?.streams ?? { video: [], audio: [], subtitles: [] },
        screenshots: [],
        episodes: [],
      },
    });
    await context.record({
      state: 'stored',
      // What was stored (a faststart rewrite can differ from the download by a few bytes).
      size: file.size,
      checksum,
      audio,
      fileId: String(file._id),
      storedParts: reused ? undefined : file.storage.parts,
      reusedFile: reused || undefined,
    });
  }

  /**
   * The task's stored tracks, by album: one album (and artist) write per album. The tracks an earlier
   * run of the task filed are grouped with them (a retry decides albums as the first run did), not
   * filed again.
   */
  async file(batch: readonly ItemContext[]): Promise<void> {
    const filed: Track[] = (batch[0]?.items() ?? [])
      .filter((item) => item.kind === 'audio' && item.state === 'done' && item.audio && item.fileId)
      .map((item) => ({ item }));
    const stored: Track[] = batch.map((context) => ({ item: context.item, context }));
    for (const grouped of groupAlbums([...stored, ...filed], ({ item }) => item.audio!)) {
      const members = grouped.members.flatMap(({ context }) => (context ? [context] : []));
      if (members.length === 0) continue;
      const group = await this.continued(grouped);
      const id = group.id;
      const albumArtistId = artistId(group.albumArtist);
      const tracks: MusicTrack[] = members.map(({ item }) => {
        const { folder: _folder, coverFileId, ...audio } = item.audio!;
        return {
          ...audio,
          _id: trackId(item.fileId!),
          fileId: item.fileId!,
          albumId: id,
          album: group.album,
          artistId: artistId(audio.artists[0] ?? audio.artist),
          albumArtistId,
          albumArtist: group.albumArtist,
          year: audio.year ?? group.year,
          size: item.size,
          path: item.name,
          coverFileId: coverFileId ?? group.coverFileId,
          createdAt: new Date(),
        };
      });
      await this.music.fileAlbum(
        {
          _id: id,
          name: group.album,
          artistId: albumArtistId,
          artist: group.albumArtist,
          year: group.year,
          genres: [],
          compilation: group.compilation,
          coverFileId: group.coverFileId,
          musicBrainzId: group.musicBrainzId,
        },
        tracks,
      );
      this.logger.log(`filed ${tracks.length} track(s) of "${group.album}" by ${group.albumArtist} (${id})`);
      for (const [position, context] of members.entries()) {
        const track = tracks[position];
        await context.record({
          state: 'done',
          note: `track ${track.track ?? '?'} of "${group.album}" by ${group.albumArtist}`,
        });
      }
    }
  }

  /**
   * An album this upload alone decided (no tag names its artist) yields to the album the tracks
   * continue: a retried track of an untagged compilation joins the Various Artists album its first run
   * filed instead of making a second album under the track's own artist. Only the same upload's
   * tracks (or a MusicBrainz album id) say so: another upload's same-named folder is another album.
   */
  private async continued(group: AlbumGroup<Track>): Promise<AlbumGroup<Track>> {
    if (group.folder === undefined) return group;
    const filed = group.members.flatMap(({ item, context }) => (context ? [] : [trackId(item.fileId!)]));
    const album = await this.music.findContinuedAlbum(filed, group.musicBrainzId);
    if (!album) return group;
    return {
      ...group,
      id: album._id,
      album: album.name,
      albumArtist: album.artist,
      compilation: album.compilation,
    };
  }

  /** The embedded picture, else the cover file of the track's folder in the pack; stored once. */
  private async storeCover(
    context: ItemContext,
    picture: Uint8Array | undefined,
  ): Promise<string | undefined> {
    let jpeg = picture ? await coverJpeg(picture) : undefined;
    if (!jpeg) {
      const folder = context.item.name.includes('/') ? dirname(context.item.name) : '.';
      const cover = context
        .items()
        .find(
          (item) =>
            item.kind === 'image' &&
            isCoverName(item.name) &&
            (item.name.includes('/') ? dirname(item.name) : '.') === folder,
        );
      if (cover) jpeg = await coverJpeg(join(sandboxOf(context), cover.path));
    }
    if (!jpeg) return undefined;
    const path = `${context.path}.cover.jpg`;
    try {
      await writeFile(path, jpeg);
      const checksum = await sha256File(path, context.signal);
      const { file } = await this.content.storeOnce({
        sha256: checksum,
        path,
        name: 'cover.jpg',
        key: `${context.task._id}-${context.index}-cover`,
        uploaded: [],
        onUploaded: async () => {},
        facts: {
          mime: 'image/jpeg',
          fileName: 'cover.jpg',
          streams: { video: [], audio: [], subtitles: [] },
          screenshots: [],
          episodes: [],
        },
      });
      return String(file._id);
    } finally {
      await rm(path, { force: true });
    }
  }
}

/** A track of the task: stored by this run (`context`: to file), or filed by an earlier one. */
interface Track {
  item: IngestItem;
  context?: ItemContext;
}

/** The task's sandbox: the item's absolute path without its sandbox-relative path. */
function sandboxOf(context: ItemContext): string {
  return context.path.slice(0, context.path.length - context.item.path.length);
}
