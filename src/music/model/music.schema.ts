import { Schema } from 'mongoose';
import { type AudioItemInfo } from '../../ingest/items/ingest-item.js';

/**
 * A track: one stored audio file (`media_files`) with what its tags say. `_id` is `tr-<fileId>`, so
 * filing the same file twice finds the one record. Albums embed their tracks (an album page is one
 * read by `_id`); this collection answers getSong and stream by `_id`.
 */
export interface MusicTrack extends Omit<AudioItemInfo, 'folder' | 'coverFileId'> {
  _id: string;
  fileId: string;
  albumId: string;
  artistId: string;
  albumArtistId: string;
  /** Bytes of the stored file. */
  size: number;
  /** Where it came from in its source ("Artist/Album/01 Song.flac"), shown as Subsonic's `path`. */
  path: string;
  coverFileId?: string;
  createdAt: Date;
}

/** An album: its artist, its tracks in disc/track order (embedded), and its cover. `_id` is `al-<hash>`. */
export interface MusicAlbum {
  _id: string;
  name: string;
  artistId: string;
  artist: string;
  year?: number;
  genres: string[];
  compilation: boolean;
  coverFileId?: string;
  musicBrainzId?: string;
  tracks: MusicTrack[];
  createdAt: Date;
  updatedAt: Date;
}

/** An artist and the albums credited to it (as album artist). `_id` is `ar-<hash>`. */
export interface MusicArtist {
  _id: string;
  name: string;
  albumIds: string[];
  musicBrainzId?: string;
  updatedAt: Date;
}

/** A user's playlist; `_id` is a random id, `owner` the user's id. */
export interface MusicPlaylist {
  _id: string;
  owner: string;
  ownerName: string;
  /**
   * The owner's site (`default` for the operator's), which alone sees it when it is public. Absent on
   * playlists from before it was stored, until `PlaylistListsBackfill` has set it.
   */
  tenantId?: string;
  name: string;
  comment?: string;
  public: boolean;
  trackIds: string[];
  createdAt: Date;
  updatedAt: Date;
}

/**
 * What one user did with the library, in one document keyed by the user's id (read once per
 * request): stars and ratings of artists, albums and tracks, play counts and last plays.
 */
export interface MusicUserData {
  _id: string;
  starred: Record<string, Date>;
  ratings: Record<string, number>;
  plays: Record<string, { count: number; last: Date }>;
}

export const musicTrackSchema = new Schema<MusicTrack>(
  {
    _id: { type: String, required: true },
    fileId: { type: String, required: true },
    albumId: { type: String, required: true },
    artistId: { type: String, required: true },
    albumArtistId: { type: String, required: true },
    title: { type: String, required: true },
    artists: { type: [String], default: [] },
    artist: String,
    albumArtist: String,
    album: String,
    track: Number,
    disc: Number,
    year: Number,
    genres: { type: [String], default: [] },
    duration: Number,
    bitRate: Number,
    sampleRate: Number,
    channels: Number,
    bitDepth: Number,
    codec: String,
    suffix: String,
    contentType: String,
    compilation: Boolean,
    musicBrainz: { type: Schema.Types.Mixed, default: {} },
    replayGain: { type: Schema.Types.Mixed, default: {} },
    lyrics: { type: Schema.Types.Mixed },
    size: Number,
    path: String,
    coverFileId: String,
    createdAt: { type: Date, required: true },
  },
  { collection: 'music_tracks', versionKey: false },
);

export const musicAlbumSchema = new Schema<MusicAlbum>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    artistId: { type: String, required: true },
    artist: String,
    year: Number,
    genres: { type: [String], default: [] },
    compilation: { type: Boolean, default: false },
    coverFileId: String,
    musicBrainzId: String,
    tracks: { type: Schema.Types.Mixed, default: [] },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'music_albums', versionKey: false },
);

export const musicArtistSchema = new Schema<MusicArtist>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    albumIds: { type: [String], default: [] },
    musicBrainzId: String,
    updatedAt: { type: Date, required: true },
  },
  { collection: 'music_artists', versionKey: false },
);

export const musicPlaylistSchema = new Schema<MusicPlaylist>(
  {
    _id: { type: String, required: true },
    owner: { type: String, required: true },
    ownerName: String,
    tenantId: String,
    name: { type: String, required: true },
    comment: String,
    public: { type: Boolean, default: false },
    trackIds: { type: [String], default: [] },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'music_playlists', versionKey: false },
);

/**
 * Which playlists an account has (`_id` = `owner:<user id>`) and which a site shows to everyone
 * (`public:<tenant id>`), so listing them takes `_id` reads. A list may name a playlist that has
 * since gone or changed (it is checked when read), never miss one.
 */
export interface MusicPlaylistList {
  _id: string;
  ids: string[];
}

export const musicPlaylistListSchema = new Schema<MusicPlaylistList>(
  {
    _id: { type: String, required: true },
    ids: { type: [String], default: [] },
  },
  { collection: 'music_playlist_lists', versionKey: false },
);

export const musicUserDataSchema = new Schema<MusicUserData>(
  {
    _id: { type: String, required: true },
    starred: { type: Schema.Types.Mixed, default: {} },
    ratings: { type: Schema.Types.Mixed, default: {} },
    plays: { type: Schema.Types.Mixed, default: {} },
  },
  { collection: 'music_user_data', versionKey: false, minimize: false },
);
