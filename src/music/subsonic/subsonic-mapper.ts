import { type CatalogSnapshot } from '../catalog/music-catalog.js';
import {
  type MusicAlbum,
  type MusicArtist,
  type MusicTrack,
  type MusicUserData,
} from '../model/music.schema.js';
import { type SubsonicObject } from './subsonic-response.js';

/** Shapes the library's records as Subsonic / OpenSubsonic objects, with the asking user's stars and plays. */
export class SubsonicMapper {
  constructor(
    private readonly user: MusicUserData,
    private readonly catalog?: CatalogSnapshot,
  ) {}

  private personal(id: string): SubsonicObject {
    const plays = this.user.plays[id];
    return {
      starred: this.user.starred[id] ? new Date(this.user.starred[id]) : undefined,
      userRating: this.user.ratings[id],
      playCount: plays?.count ?? 0,
      played: plays ? new Date(plays.last) : undefined,
    };
  }

  song(track: MusicTrack): SubsonicObject {
    return {
      id: track._id,
      parent: track.albumId,
      isDir: false,
      title: track.title,
      album: track.album,
      artist: track.artist,
      track: track.track,
      year: track.year,
      genre: track.genres[0],
      coverArt: track.coverFileId ? track.albumId : undefined,
      size: track.size,
      contentType: track.contentType,
      suffix: track.suffix,
      duration: track.duration,
      bitRate: track.bitRate,
      bitDepth: track.bitDepth,
      samplingRate: track.sampleRate,
      channelCount: track.channels,
      path: track.path,
      discNumber: track.disc,
      created: new Date(track.createdAt),
      albumId: track.albumId,
      artistId: track.artistId,
      type: 'music',
      mediaType: 'song',
      isVideo: false,
      musicBrainzId: track.musicBrainz?.trackId,
      ...this.personal(track._id),
      genres: track.genres.map((name) => ({ name })),
      artists: track.artists.map((name, index) => ({
        id: index === 0 ? track.artistId : undefined,
        name,
      })),
      displayArtist: track.artist,
      albumArtists: [{ id: track.albumArtistId, name: track.albumArtist ?? track.artist }],
      displayAlbumArtist: track.albumArtist ?? track.artist,
      replayGain: compact({
        trackGain: track.replayGain?.trackGain,
        trackPeak: track.replayGain?.trackPeak,
        albumGain: track.replayGain?.albumGain,
        albumPeak: track.replayGain?.albumPeak,
      }),
    };
  }

  /** ID3-style album (getAlbum, getAlbumList2, search3). */
  album(album: MusicAlbum): SubsonicObject {
    return {
      id: album._id,
      name: album.name,
      artist: album.artist,
      artistId: album.artistId,
      coverArt: album.coverFileId ? album._id : undefined,
      songCount: album.tracks.length,
      duration: album.tracks.reduce((sum, track) => sum + (track.duration ?? 0), 0),
      created: new Date(album.createdAt),
      year: album.year,
      genre: album.genres[0],
      ...this.personal(album._id),
      isCompilation: album.compilation,
      musicBrainzId: album.musicBrainzId,
      genres: album.genres.map((name) => ({ name })),
      artists: [{ id: album.artistId, name: album.artist }],
      displayArtist: album.artist,
      sortName: album.name,
    };
  }

  /** Folder-style album (getMusicDirectory, getAlbumList, search2). */
  albumDirectory(album: MusicAlbum): SubsonicObject {
    return {
      id: album._id,
      parent: album.artistId,
      isDir: true,
      title: album.name,
      name: album.name,
      album: album.name,
      artist: album.artist,
      year: album.year,
      genre: album.genres[0],
      coverArt: album.coverFileId ? album._id : undefined,
      songCount: album.tracks.length,
      duration: album.tracks.reduce((sum, track) => sum + (track.duration ?? 0), 0),
      created: new Date(album.createdAt),
      ...this.personal(album._id),
    };
  }

  artist(artist: MusicArtist): SubsonicObject {
    const cover = artist.albumIds
      .map((id) => this.catalog?.albumById.get(id))
      .find((album) => album?.coverFileId);
    return {
      id: artist._id,
      name: artist.name,
      albumCount: artist.albumIds.length,
      coverArt: cover ? cover._id : undefined,
      starred: this.user.starred[artist._id] ? new Date(this.user.starred[artist._id]) : undefined,
      userRating: this.user.ratings[artist._id],
      musicBrainzId: artist.musicBrainzId,
      sortName: artist.name,
    };
  }
}

function compact(object: Record<string, number | undefined>): SubsonicObject | undefined {
  const entries = Object.entries(object).filter(([, value]) => value !== undefined);
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}
