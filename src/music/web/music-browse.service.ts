import { Injectable } from '@nestjs/common';
import { AppError } from '../../core/errors/app-error.js';
import { MusicCatalog } from '../catalog/music-catalog.js';
import { type MusicAlbum, type MusicTrack } from '../model/music.schema.js';
import { MusicUserService, PlaylistNotFoundError } from '../user/music-user.service.js';
import { MusicLinks } from './music-links.js';

export interface TrackView {
  id: string;
  title: string;
  artist: string;
  album: string;
  albumId: string;
  track: number | null;
  duration: number;
  mime: string;
  stream: string;
  cover: string | null;
}

export interface AlbumView {
  id: string;
  name: string;
  artist: string;
  artistId: string;
  year: number | null;
  songCount: number;
  cover: string | null;
}

/** The web player's reads: albums, artists and the user's playlists, with signed links to play them. */
@Injectable()
export class MusicBrowseService {
  constructor(
    private readonly catalog: MusicCatalog,
    private readonly users: MusicUserService,
    private readonly links: MusicLinks,
  ) {}

  async albums(offset: number, limit: number): Promise<{ total: number; albums: AlbumView[] }> {
    const library = await this.catalog.current();
    return {
      total: library.albums.length,
      albums: library.albums.slice(offset, offset + limit).map((album) => this.albumView(album)),
    };
  }

  async album(id: string): Promise<AlbumView & { tracks: TrackView[] }> {
    const album = (await this.catalog.current()).albumById.get(id);
    if (!album) throw new AppError(404, 'not_found', 'No such album.');
    return { ...this.albumView(album), tracks: album.tracks.map((track) => this.trackView(track, album)) };
  }

  async artists(): Promise<{ id: string; name: string; albumCount: number }[]> {
    const library = await this.catalog.current();
    return library.artists.map((artist) => ({
      id: artist._id,
      name: artist.name,
      albumCount: artist.albumIds.length,
    }));
  }

  async artist(id: string): Promise<{ id: string; name: string; albums: AlbumView[] }> {
    const library = await this.catalog.current();
    const artist = library.artistById.get(id);
    if (!artist) throw new AppError(404, 'not_found', 'No such artist.');
    const albums = artist.albumIds
      .map((albumId) => library.albumById.get(albumId))
      .filter((a) => a !== undefined);
    return { id: artist._id, name: artist.name, albums: albums.map((album) => this.albumView(album)) };
  }

  async playlists(userId: string): Promise<{ id: string; name: string; songCount: number }[]> {
    const [playlists, library] = await Promise.all([this.users.playlists(userId), this.catalog.current()]);
    // Songs the site does not show (its scope, or deleted since) are not counted, as they are not listed.
    return playlists.map((playlist) => ({
      id: playlist._id,
      name: playlist.name,
      songCount: playlist.trackIds.filter((trackId) => library.trackById.has(trackId)).length,
    }));
  }

  async playlist(userId: string, id: string): Promise<{ id: string; name: string; tracks: TrackView[] }> {
    try {
      const playlist = await this.users.playlist(userId, id);
      const library = await this.catalog.current();
      const tracks = playlist.trackIds
        .map((trackId) => library.trackById.get(trackId))
        .filter((t) => t !== undefined);
      return {
        id: playlist._id,
        name: playlist.name,
        tracks: tracks.map((track) => this.trackView(track, library.albumById.get(track.albumId))),
      };
    } catch (error) {
      if (error instanceof PlaylistNotFoundError) throw new AppError(404, 'not_found', 'No such playlist.');
      throw error;
    }
  }

  private albumView(album: MusicAlbum): AlbumView {
    return {
      id: album._id,
      name: album.name,
      artist: album.artist,
      artistId: album.artistId,
      year: album.year ?? null,
      songCount: album.tracks.length,
      cover: album.coverFileId ? this.links.file(album.coverFileId, 'cover.jpg') : null,
    };
  }

  private trackView(track: MusicTrack, album: MusicAlbum | undefined): TrackView {
    const cover = track.coverFileId ?? album?.coverFileId;
    return {
      id: track._id,
      title: track.title,
      artist: track.artist,
      album: track.album,
      albumId: track.albumId,
      track: track.track ?? null,
      duration: track.duration,
      mime: track.contentType,
      stream: this.links.file(track.fileId, track.path.slice(track.path.lastIndexOf('/') + 1)),
      cover: cover ? this.links.file(cover, 'cover.jpg') : null,
    };
  }
}
