import { Injectable } from '@nestjs/common';
import { type Model } from 'mongoose';
import { MongoConnection } from '../../core/database/mongo-connection.js';
import { RedisMutex } from '../../core/redis/redis-mutex.js';
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
   * The album that tracks of `folder` named `name` continue: the one with their MusicBrainz album id,
   * else the one of that name holding a track of the same folder (an earlier run of the same pack).
   */
  async findContinuedAlbum(
    name: string,
    folder: string,
    musicBrainzId?: string,
  ): Promise<Pick<MusicAlbum, '_id' | 'name' | 'artist' | 'compilation'> | undefined> {
    const fields = { name: 1, artist: 1, compilation: 1, 'tracks.path': 1 };
    if (musicBrainzId) {
      const same = await this.albums.findOne({ musicBrainzId }, fields).lean<MusicAlbum>().exec();
      if (same) return same;
    }
    const named = await this.albums.find({ name }, fields).lean<MusicAlbum[]>().exec();
    return named.find((album) => album.tracks.some((track) => folderOf(track.path) === folder));
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
   * Files tracks into their album (creating it, or merging into it: a track of the same id is
   * replaced) and the album into its artist, then records the change. Idempotent. The cover lookup
   * follows: the album's cover files are linked before the album names them and a cover it no longer
   * uses is unlinked after, so a cover the album shows is always judged by it.
   */
  async fileAlbum(
    album: Omit<MusicAlbum, 'tracks' | 'createdAt' | 'updatedAt'>,
    tracks: MusicTrack[],
  ): Promise<void> {
    for (const track of tracks) {
      await this.tracks.replaceOne({ _id: track._id }, track, { upsert: true });
    }
    await this.mutex.withLock(`music-album:${album._id}`, async () => {
      const current = await this.findAlbum(album._id);
      const byId = new Map((current?.tracks ?? []).map((track) => [track._id, track]));
      for (const track of tracks) byId.set(track._id, track);
      const ordered = [...byId.values()].sort(
        (a, b) =>
          (a.disc ?? 1) - (b.disc ?? 1) ||
          (a.track ?? Number.MAX_SAFE_INTEGER) - (b.track ?? Number.MAX_SAFE_INTEGER) ||
          a.path.localeCompare(b.path, 'en', { numeric: true }),
      );
      const now = new Date();
      const genres = [...new Set(ordered.flatMap((track) => track.genres))];
      const next: MusicAlbum = {
        ...album,
        year: album.year ?? current?.year,
        coverFileId: album.coverFileId ?? current?.coverFileId,
        genres,
        tracks: ordered,
        createdAt: current?.createdAt ?? now,
        updatedAt: now,
      };
      const covers = coverFilesOf(next);
      await this.covers.link(album._id, covers);
      await this.albums.replaceOne({ _id: album._id }, next, { upsert: true });
      await this.covers.unlink(
        album._id,
        coverFilesOf(current).filter((id) => !covers.includes(id)),
      );
    });
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
    await this.changes.record([album._id, album.artistId, ...credited.keys()]);
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

/** A track's folder in its pack, as `AudioItemInfo.folder` has it. */
function folderOf(path: string): string {
  return path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
}
