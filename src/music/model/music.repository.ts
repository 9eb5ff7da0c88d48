import { Injectable } from '@nestjs/common';
import { type Model, Types } from 'mongoose';
import { MongoConnection } from '../../core/database/mongo-connection.js';
import { RedisMutex } from '../../core/redis/redis-mutex.js';
import { LibraryService } from '../../library/library.service.js';
import { MusicChangeLog } from './music-change-log.js';
import { coverFilesOf, MusicCoverRepository } from './music-cover.repository.js';
import {
  type MusicAlbum,
  musicAlbumSchema,
  type MusicArtist,
  musicArtistSchema,
  type MusicTrack,
  musicTrackSchema,
  type MusicUserData,
  musicUserDataSchema,
} from './music.schema.js';

/**
 * Artists, albums (with their tracks embedded), tracks and per-user data (playlists have their own
 * `PlaylistRepository`). Every read of a single thing is by `_id` (FerretDB pushes down nothing
 * else); read-modify-writes hold a Redis lock.
 */
@Injectable()
export class MusicRepository {
  private readonly tracks: Model<MusicTrack>;
  private readonly albums: Model<MusicAlbum>;
  private readonly artists: Model<MusicArtist>;
  private readonly userData: Model<MusicUserData>;

  constructor(
    mongo: MongoConnection,
    private readonly mutex: RedisMutex,
    private readonly changes: MusicChangeLog,
    private readonly covers: MusicCoverRepository,
    private readonly library: LibraryService,
  ) {
    this.tracks = mongo.connection.model<MusicTrack>('MusicTrack', musicTrackSchema);
    this.albums = mongo.connection.model<MusicAlbum>('MusicAlbum', musicAlbumSchema);
    this.artists = mongo.connection.model<MusicArtist>('MusicArtist', musicArtistSchema);
    this.userData = mongo.connection.model<MusicUserData>('MusicUserData', musicUserDataSchema);
  }

  findTrack(id: string): Promise<MusicTrack | null> {
    return this.tracks.findById(id).lean<MusicTrack>().exec();
  }

  findAlbum(id: string): Promise<MusicAlbum | null> {
    return this.albums.findById(id).lean<MusicAlbum>().exec();
  }

  /**
   * The album an upload's tracks continue: the one with their MusicBrainz album id, else the one
   * holding `filedTrackIds` (tracks of the same album and upload filed by an earlier run of it).
   */
  async findContinuedAlbum(
    filedTrackIds: readonly string[],
    musicBrainzId?: string,
  ): Promise<Pick<MusicAlbum, '_id' | 'name' | 'artist' | 'compilation'> | undefined> {
    const fields = { name: 1, artist: 1, compilation: 1 };
    if (musicBrainzId) {
      const same = await this.albums.findOne({ musicBrainzId }, fields).lean<MusicAlbum>().exec();
      if (same) return same;
    }
    for (const id of filedTrackIds) {
      const track = await this.findTrack(id);
      const album = track && (await this.albums.findById(track.albumId, fields).lean<MusicAlbum>().exec());
      if (album) return album;
    }
    return undefined;
  }

  findArtist(id: string): Promise<MusicArtist | null> {
    return this.artists.findById(id).lean<MusicArtist>().exec();
  }

  /** Every album with its tracks, for the in-memory catalog (a full read, once per process). */
  allAlbums(): Promise<MusicAlbum[]> {
    return this.albums.find().lean<MusicAlbum[]>().exec();
  }

  /** Every album's id and cover files (its own and its tracks'), one at a time: the covers' backfill. */
  eachAlbumCovers(): AsyncIterable<Pick<MusicAlbum, '_id' | 'coverFileId' | 'tracks'>> {
    return this.albums
      .find({}, { coverFileId: 1, 'tracks.coverFileId': 1 })
      .lean<Pick<MusicAlbum, '_id' | 'coverFileId' | 'tracks'>>()
      .cursor();
  }

  allArtists(): Promise<MusicArtist[]> {
    return this.artists.find().lean<MusicArtist[]>().exec();
  }

  /**
   * Files tracks into their album (creating it, or merging into it) and the album into its artist,
   * then records the change. Idempotent, and filing an album again lands on the same records: a track
   * of the same id is replaced, and so is one in the same place (disc, number and title) from other
   * bytes (a retagged copy, another rip), whose file is deleted when nothing else uses it. A track
   * filed before under another album (the same bytes in two albums) leaves that album: the catalog
   * and the streamer know a track by one album. The cover lookup follows: the album's cover files
   * are linked before the album names them and a cover it no longer uses is unlinked after, so a
   * cover the album shows is always judged by it.
   */
  async fileAlbum(
    album: Omit<MusicAlbum, 'tracks' | 'createdAt' | 'updatedAt'>,
    tracks: MusicTrack[],
  ): Promise<void> {
    const previous = await Promise.all(tracks.map((track) => this.findTrack(track._id)));
    const moved = new Map<string, string[]>();
    for (const track of previous) {
      if (!track || track.albumId === album._id) continue;
      moved.set(track.albumId, [...(moved.get(track.albumId) ?? []), track._id]);
    }
    for (const track of tracks) {
      await this.tracks.replaceOne({ _id: track._id }, track, { upsert: true });
    }
    let replaced: MusicTrack[] = [];
    await this.mutex.withLock(`music-album:${album._id}`, async () => {
      const current = await this.findAlbum(album._id);
      const ids = new Set(tracks.map((track) => track._id));
      const others = (current?.tracks ?? []).filter((track) => !ids.has(track._id));
      replaced = others.filter((old) => tracks.some((track) => samePlace(old, track)));
      const ordered = [...others.filter((old) => !replaced.includes(old)), ...tracks].sort(
        (a, b) =>
          (a.disc ?? 1) - (b.disc ?? 1) ||
          (a.track ?? Number.MAX_SAFE_INTEGER) - (b.track ?? Number.MAX_SAFE_INTEGER) ||
          a.path.localeCompare(b.path, 'en', { numeric: true }),
      );
      const now = new Date();
      await this.writeAlbum(current, {
        ...album,
        year: album.year ?? current?.year,
        coverFileId: album.coverFileId ?? current?.coverFileId,
        genres: genresOf(ordered),
        tracks: ordered,
        createdAt: current?.createdAt ?? now,
        updatedAt: now,
      });
    });
    const changed: string[] = [];
    for (const [id, trackIds] of moved) changed.push(...(await this.removeTracks(id, trackIds)));
    await this.forgetReplaced(album._id, replaced);
    await this.mutex.withLock(`music-artist:${album.artistId}`, async () => {
      const current = await this.findArtist(album.artistId);
      const albumIds = [...new Set([...(current?.albumIds ?? []), album._id])];
      await this.artists.replaceOne(
        { _id: album.artistId },
        { _id: album.artistId, name: current?.name ?? album.artist, albumIds, updatedAt: new Date() },
        { upsert: true },
      );
    });
    // Artists credited on tracks only (a compilation's): they exist, with no albums of their own.
    const credited = new Map(tracks.map((track) => [track.artistId, track.artists[0] ?? track.artist]));
    credited.delete(album.artistId);
    for (const [id, name] of credited) {
      await this.mutex.withLock(`music-artist:${id}`, async () => {
        if (await this.findArtist(id)) return;
        await this.artists.replaceOne(
          { _id: id },
          { _id: id, name, albumIds: [], updatedAt: new Date() },
          { upsert: true },
        );
      });
    }
    await this.changes.record([album._id, album.artistId, ...credited.keys(), ...changed]);
  }

  /** Writes the album with its cover lookup in step (see `fileAlbum`); `next` null deletes it. */
  private async writeAlbum(
    current: MusicAlbum | null,
    next: MusicAlbum | null,
    id = next?._id,
  ): Promise<void> {
    if (!id) return;
    const covers = coverFilesOf(next);
    await this.covers.link(id, covers);
    if (next) await this.albums.replaceOne({ _id: id }, next, { upsert: true });
    else await this.albums.deleteOne({ _id: id });
    await this.covers.unlink(
      id,
      coverFilesOf(current).filter((file) => !covers.includes(file)),
    );
  }

  /**
   * Takes tracks filed elsewhere since out of an album; an album left empty goes, and leaves its
   * artist's list. The ids changed, for the change log.
   */
  private async removeTracks(id: string, trackIds: readonly string[]): Promise<string[]> {
    let emptied: MusicAlbum | undefined;
    const found = await this.mutex.withLock(`music-album:${id}`, async () => {
      const current = await this.findAlbum(id);
      if (!current) return false;
      const tracks = current.tracks.filter((track) => !trackIds.includes(track._id));
      if (tracks.length === current.tracks.length) return false;
      if (tracks.length === 0) emptied = current;
      const next = emptied ? null : { ...current, tracks, genres: genresOf(tracks), updatedAt: new Date() };
      await this.writeAlbum(current, next, id);
      return true;
    });
    if (!found) return [];
    if (!emptied) return [id];
    const artistId = emptied.artistId;
    await this.mutex.withLock(`music-artist:${artistId}`, async () => {
      const artist = await this.findArtist(artistId);
      if (!artist) return;
      const albumIds = artist.albumIds.filter((albumId) => albumId !== id);
      await this.artists.replaceOne({ _id: artistId }, { ...artist, albumIds, updatedAt: new Date() });
    });
    return [id, artistId];
  }

  /**
   * Tracks another copy replaced in their album: their records go, and so do their files (the bytes
   * queued for deletion) unless something else holds them: a title, or another album the track
   * record was filed under meanwhile.
   */
  private async forgetReplaced(albumId: string, replaced: readonly MusicTrack[]): Promise<void> {
    for (const track of replaced) {
      const { deletedCount } = await this.tracks.deleteOne({ _id: track._id, albumId });
      if (deletedCount !== 1 || !Types.ObjectId.isValid(track.fileId)) continue;
      const [file] = await this.library.findFiles([new Types.ObjectId(track.fileId)]);
      if (!file || file.titleId) continue;
      await this.library.deleteDetachedFiles([file._id], 'music track filed again');
    }
  }

  /** The music data of accounts that are being deleted (a purged tenant's). */
  async deleteForUsers(userIds: readonly string[]): Promise<void> {
    if (userIds.length === 0) return;
    await this.userData.deleteMany({ _id: { $in: [...userIds] } });
  }

  async findUserData(userId: string): Promise<MusicUserData> {
    const found = await this.userData.findById(userId).lean<MusicUserData>().exec();
    return found ?? { _id: userId, starred: {}, ratings: {}, plays: {} };
  }

  async editUserData(userId: string, change: (data: MusicUserData) => void): Promise<void> {
    await this.mutex.withLock(`music-user:${userId}`, async () => {
      const data = await this.findUserData(userId);
      change(data);
      await this.userData.replaceOne({ _id: userId }, data, { upsert: true });
    });
  }
}

/** The genres of an album: its tracks', once each. */
function genresOf(tracks: readonly MusicTrack[]): string[] {
  return [...new Set(tracks.flatMap((track) => track.genres))];
}

/** Two copies of one song of an album: the same disc, number and title (case and spacing aside). */
function samePlace(a: MusicTrack, b: MusicTrack): boolean {
  const title = (track: MusicTrack) =>
    track.title.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
  return (a.disc ?? 1) === (b.disc ?? 1) && a.track === b.track && title(a) === title(b);
}
