import { Injectable } from '@nestjs/common';
import { type AppPasswordIdentity } from '../../auth/app-passwords/app-password-auth.js';
import { type CatalogSnapshot, MusicCatalog } from '../catalog/music-catalog.js';
import { matchesAll, searchWords } from '../catalog/search-words.js';
import { kindOfId } from '../model/music-ids.js';
import {
  type MusicAlbum,
  type MusicArtist,
  type MusicPlaylist,
  type MusicTrack,
  type MusicUserData,
} from '../model/music.schema.js';
import {
  MusicUserService,
  PlaylistForbiddenError,
  PlaylistNotFoundError,
  PlaylistRefusedError,
} from '../user/music-user.service.js';
import { SubsonicMapper } from './subsonic-mapper.js';
import { type SubsonicParams } from './subsonic-params.js';
import { SubsonicError, SubsonicErrorCode, type SubsonicObject } from './subsonic-response.js';

export const MUSIC_FOLDER_ID = 1;
const IGNORED_ARTICLES = 'The El La Los Las Le Les';
const ALBUM_LIST_TYPES = [
  'random',
  'newest',
  'highest',
  'frequent',
  'recent',
  'starred',
  'alphabeticalByName',
  'alphabeticalByArtist',
  'byYear',
  'byGenre',
] as const;

type Handler = (request: SubsonicRequest) => Promise<SubsonicObject> | SubsonicObject;

export interface SubsonicRequest {
  params: SubsonicParams;
  identity: AppPasswordIdentity;
}

/**
 * The Subsonic / OpenSubsonic API (everything but the byte calls) as a translation of the music
 * catalog and the user's data: each method answers one endpoint's payload, or throws SubsonicError.
 */
@Injectable()
export class SubsonicService {
  private readonly handlers: Readonly<Record<string, Handler>> = {
    ping: () => ({}),
    getLicense: () => ({ license: { valid: true, email: 'streamvault@localhost' } }),
    getOpenSubsonicExtensions: () => ({
      openSubsonicExtensions: [
        { name: 'apiKeyAuthentication', versions: [1] },
        { name: 'formPost', versions: [1] },
        { name: 'songLyrics', versions: [1] },
        { name: 'transcodeOffset', versions: [1] },
      ],
    }),
    tokenInfo: ({ identity }) => ({ tokenInfo: { username: identity.name } }),
    getMusicFolders: () => ({ musicFolders: { musicFolder: [{ id: MUSIC_FOLDER_ID, name: 'Music' }] } }),
    getIndexes: (r) => this.indexes(r, 'indexes'),
    getArtists: (r) => this.indexes(r, 'artists'),
    getArtist: (r) => this.artist(r),
    getAlbum: (r) => this.album(r),
    getSong: (r) => this.song(r),
    getMusicDirectory: (r) => this.directory(r),
    getAlbumList: (r) => this.albumList(r, 'albumList'),
    getAlbumList2: (r) => this.albumList(r, 'albumList2'),
    getRandomSongs: (r) => this.randomSongs(r),
    getGenres: (r) => this.genres(r),
    getSongsByGenre: (r) => this.songsByGenre(r),
    search2: (r) => this.search(r, 'searchResult2'),
    search3: (r) => this.search(r, 'searchResult3'),
    scrobble: (r) => this.scrobble(r),
    star: (r) => this.star(r, true),
    unstar: (r) => this.star(r, false),
    getStarred: (r) => this.starred(r, 'starred'),
    getStarred2: (r) => this.starred(r, 'starred2'),
    setRating: (r) => this.setRating(r),
    getPlaylists: (r) => this.playlists(r),
    getPlaylist: (r) => this.playlist(r),
    createPlaylist: (r) => this.createPlaylist(r),
    updatePlaylist: (r) => this.updatePlaylist(r),
    deletePlaylist: (r) => this.deletePlaylist(r),
    getNowPlaying: (r) => this.nowPlaying(r),
    getUser: (r) => this.user(r),
    // Accounts are managed on the site, and an app password carries viewer rights only (no adminRole
    // or settingsRole): whoever calls these is refused, as Subsonic refuses a user without the role.
    getUsers: refused,
    createUser: refused,
    updateUser: refused,
    deleteUser: refused,
    changePassword: refused,
    getLyrics: (r) => this.lyrics(r),
    getLyricsBySongId: (r) => this.lyricsBySongId(r),
  };

  constructor(
    private readonly catalog: MusicCatalog,
    private readonly users: MusicUserService,
  ) {}

  /** The endpoint's payload; an unknown method is error 70 (asked only once the caller is authenticated). */
  async handle(method: string, request: SubsonicRequest): Promise<SubsonicObject> {
    const handler = Object.hasOwn(this.handlers, method) ? this.handlers[method] : undefined;
    if (!handler) {
      throw new SubsonicError(
        SubsonicErrorCode.NotFound,
        `Unknown or unsupported method: ${method.slice(0, 60)}`,
      );
    }
    try {
      return await handler(request);
    } catch (error) {
      if (error instanceof PlaylistNotFoundError)
        throw new SubsonicError(SubsonicErrorCode.NotFound, error.message);
      if (error instanceof PlaylistForbiddenError)
        throw new SubsonicError(SubsonicErrorCode.NotAuthorized, error.message);
      if (error instanceof PlaylistRefusedError)
        throw new SubsonicError(SubsonicErrorCode.Generic, error.message);
      throw error;
    }
  }

  private async context(
    request: SubsonicRequest,
  ): Promise<{ library: CatalogSnapshot; map: SubsonicMapper; data: MusicUserData }> {
    const [library, data] = await Promise.all([this.catalog.current(), this.users.data(request.identity.id)]);
    return { library, data, map: new SubsonicMapper(data, library) };
  }

  private async indexes(request: SubsonicRequest, key: 'indexes' | 'artists'): Promise<SubsonicObject> {
    const { library, map } = await this.context(request);
    // Filed and ordered by the name without its article ("The Beatles" under B, after "Blur"), '#' last.
    const groups = new Map<string, MusicArtist[]>();
    for (const artist of library.artists) {
      const letter = indexLetter(artist.name);
      groups.set(letter, [...(groups.get(letter) ?? []), artist]);
    }
    const index = [...groups]
      .sort(([a], [b]) => Number(a === '#') - Number(b === '#') || a.localeCompare(b))
      .map(([name, artists]) => ({
        name,
        artist: artists
          .map((artist) => ({ artist, key: withoutArticle(artist.name) }))
          .sort((a, b) => a.key.localeCompare(b.key, 'en', { sensitivity: 'base', numeric: true }))
          .map(({ artist }) => map.artist(artist)),
      }));
    return key === 'indexes'
      ? { indexes: { lastModified: library.loadedAt.getTime(), ignoredArticles: IGNORED_ARTICLES, index } }
      : { artists: { ignoredArticles: IGNORED_ARTICLES, index } };
  }

  private async artist(request: SubsonicRequest): Promise<SubsonicObject> {
    const id = request.params.required('id');
    const { library, map } = await this.context(request);
    const artist = library.artistById.get(id);
    if (!artist) throw notFound('Artist', id);
    const albums = artist.albumIds
      .map((albumId) => library.albumById.get(albumId))
      .filter((a) => a !== undefined);
    return { artist: { ...map.artist(artist), album: albums.map((album) => map.album(album)) } };
  }

  private async album(request: SubsonicRequest): Promise<SubsonicObject> {
    const id = request.params.required('id');
    const { library, map } = await this.context(request);
    const album = library.albumById.get(id);
    if (!album) throw notFound('Album', id);
    return { album: { ...map.album(album), song: album.tracks.map((track) => map.song(track)) } };
  }

  private async song(request: SubsonicRequest): Promise<SubsonicObject> {
    const id = request.params.required('id');
    const { library, map } = await this.context(request);
    const track = library.trackById.get(id);
    if (!track) throw notFound('Song', id);
    return { song: map.song(track) };
  }

  private async directory(request: SubsonicRequest): Promise<SubsonicObject> {
    const id = request.params.required('id');
    const { library, map } = await this.context(request);
    if (id === String(MUSIC_FOLDER_ID)) {
      return {
        directory: {
          id,
          name: 'Music',
          child: library.artists.map((artist) => ({
            id: artist._id,
            parent: id,
            isDir: true,
            title: artist.name,
            artist: artist.name,
          })),
        },
      };
    }
    const artist = library.artistById.get(id);
    if (artist) {
      const albums = artist.albumIds
        .map((albumId) => library.albumById.get(albumId))
        .filter((a) => a !== undefined);
      return {
        directory: {
          id,
          name: artist.name,
          parent: String(MUSIC_FOLDER_ID),
          child: albums.map((album) => map.albumDirectory(album)),
        },
      };
    }
    const album = library.albumById.get(id);
    if (album) {
      return {
        directory: {
          id,
          name: album.name,
          parent: album.artistId,
          child: album.tracks.map((track) => map.song(track)),
        },
      };
    }
    throw notFound('Directory', id);
  }

  private async albumList(
    request: SubsonicRequest,
    key: 'albumList' | 'albumList2',
  ): Promise<SubsonicObject> {
    const { params } = request;
    const type = params.required('type');
    if (!(ALBUM_LIST_TYPES as readonly string[]).includes(type)) {
      throw new SubsonicError(SubsonicErrorCode.Generic, `Unknown list type: ${type}`);
    }
    const size = params.int('size', 10, 0, 500);
    const offset = params.int('offset', 0, 0);
    const { library, map, data } = await this.context(request);
    let albums: readonly MusicAlbum[] = library.albums;
    switch (type) {
      case 'random':
        albums = sample(albums, size);
        break;
      case 'newest':
        albums = [...albums].sort(
          (a, b) => new Date(b.createdAt).getTime() - new Date(a.createdAt).getTime(),
        );
        break;
      case 'highest':
        albums = albums
          .filter((a) => data.ratings[a._id])
          .sort((a, b) => data.ratings[b._id] - data.ratings[a._id]);
        break;
      case 'frequent':
        albums = albums
          .filter((a) => data.plays[a._id])
          .sort((a, b) => data.plays[b._id].count - data.plays[a._id].count);
        break;
      case 'recent':
        albums = albums
          .filter((a) => data.plays[a._id])
          .sort(
            (a, b) => new Date(data.plays[b._id].last).getTime() - new Date(data.plays[a._id].last).getTime(),
          );
        break;
      case 'starred':
        albums = albums.filter((a) => data.starred[a._id]);
        break;
      case 'alphabeticalByArtist':
        albums = library.albumsByArtist;
        break;
      case 'byYear': {
        const from = params.int('fromYear', 0);
        const to = params.int('toYear', 9999);
        const [low, high] = from <= to ? [from, to] : [to, from];
        albums = albums
          .filter((a) => a.year !== undefined && a.year >= low && a.year <= high)
          .sort((a, b) => (from <= to ? a.year! - b.year! : b.year! - a.year!));
        break;
      }
      case 'byGenre': {
        const genre = params.required('genre').toLowerCase();
        albums = albums.filter((a) => a.genres.some((g) => g.toLowerCase() === genre));
        break;
      }
    }
    const page = type === 'random' ? albums : albums.slice(offset, offset + size);
    return {
      [key]: {
        album: page.map((album) => (key === 'albumList2' ? map.album(album) : map.albumDirectory(album))),
      },
    };
  }

  private async randomSongs(request: SubsonicRequest): Promise<SubsonicObject> {
    const { params } = request;
    const size = params.int('size', 10, 0, 500);
    const genre = params.string('genre')?.toLowerCase();
    const from = params.optionalInt('fromYear');
    const to = params.optionalInt('toYear');
    const { library, map } = await this.context(request);
    const fits = (track: MusicTrack) =>
      (!genre || track.genres.some((g) => g.toLowerCase() === genre)) &&
      (from === undefined || (track.year ?? -1) >= from) &&
      (to === undefined || (track.year ?? Infinity) <= to);
    const pool =
      genre || from !== undefined || to !== undefined ? library.tracks.filter(fits) : library.tracks;
    return { randomSongs: { song: sample(pool, size).map((track) => map.song(track)) } };
  }

  private async genres(request: SubsonicRequest): Promise<SubsonicObject> {
    const { library } = await this.context(request);
    return {
      genres: {
        genre: library.genres.map((g) => ({
          value: g.name,
          songCount: g.songCount,
          albumCount: g.albumCount,
        })),
      },
    };
  }

  private async songsByGenre(request: SubsonicRequest): Promise<SubsonicObject> {
    const { params } = request;
    const genre = params.required('genre').toLowerCase();
    const count = params.int('count', 10, 0, 500);
    const offset = params.int('offset', 0, 0);
    const { library, map } = await this.context(request);
    const songs = library.tracks.filter((track) => track.genres.some((g) => g.toLowerCase() === genre));
    return { songsByGenre: { song: songs.slice(offset, offset + count).map((track) => map.song(track)) } };
  }

  /** search2 / search3; an empty query (or `""`) lists everything, so clients can page through the library. */
  private async search(
    request: SubsonicRequest,
    key: 'searchResult2' | 'searchResult3',
  ): Promise<SubsonicObject> {
    const { params } = request;
    const raw = (params.string('query') ?? '').trim();
    const query = searchWords(raw === '""' ? '' : raw);
    const window = (name: 'artist' | 'album' | 'song') => ({
      count: params.int(`${name}Count`, 20, 0, 500),
      offset: params.int(`${name}Offset`, 0, 0),
    });
    const { library, map } = await this.context(request);
    const pick = <T extends { _id: string }>(
      items: readonly T[],
      { count, offset }: { count: number; offset: number },
    ) => {
      if (count === 0) return [];
      if (query.length === 0) return items.slice(offset, offset + count);
      const found: T[] = [];
      let skipped = 0;
      for (const item of items) {
        if (!matchesAll(query, library.words.get(item._id) ?? [])) continue;
        if (skipped < offset) skipped++;
        else if (found.push(item) >= count) break;
      }
      return found;
    };
    const artists = pick(library.artists, window('artist'));
    const albums = pick(library.albums, window('album'));
    const songs = pick(library.tracks, window('song'));
    return {
      [key]: {
        artist: artists.map((artist) =>
          key === 'searchResult3'
            ? map.artist(artist)
            : { id: artist._id, name: artist.name, starred: map.artist(artist).starred },
        ),
        album: albums.map((album) =>
          key === 'searchResult3' ? map.album(album) : map.albumDirectory(album),
        ),
        song: songs.map((track) => map.song(track)),
      },
    };
  }

  private async scrobble(request: SubsonicRequest): Promise<SubsonicObject> {
    const { params, identity } = request;
    const ids = params.all('id');
    if (ids.length === 0) params.required('id');
    const times = params.all('time');
    const library = await this.catalog.current();
    const plays = ids.map((id, index) => {
      const track = library.trackById.get(id);
      if (!track) throw notFound('Song', id);
      const time =
        times[index] && /^\d{1,15}$/.test(times[index]) ? new Date(Number(times[index])) : new Date();
      return { trackId: track._id, albumId: track.albumId, at: time };
    });
    await this.users.scrobble(
      { id: identity.id, name: identity.name },
      plays,
      params.bool('submission', true),
      params.string('c'),
    );
    return {};
  }

  private async star(request: SubsonicRequest, starred: boolean): Promise<SubsonicObject> {
    const { params } = request;
    const ids = [...params.all('id'), ...params.all('albumId'), ...params.all('artistId')];
    if (ids.length === 0) params.required('id');
    const library = await this.catalog.current();
    for (const id of ids) {
      if (!exists(library, id)) throw notFound('Item', id);
    }
    await this.users.star(request.identity.id, ids, starred);
    return {};
  }

  private async starred(request: SubsonicRequest, key: 'starred' | 'starred2'): Promise<SubsonicObject> {
    const { library, map, data } = await this.context(request);
    const ids = Object.keys(data.starred);
    const artists = ids.map((id) => library.artistById.get(id)).filter((a) => a !== undefined);
    const albums = ids.map((id) => library.albumById.get(id)).filter((a) => a !== undefined);
    const songs = ids.map((id) => library.trackById.get(id)).filter((t) => t !== undefined);
    return {
      [key]: {
        artist: artists.map((artist) => map.artist(artist)),
        album: albums.map((album) => (key === 'starred2' ? map.album(album) : map.albumDirectory(album))),
        song: songs.map((track) => map.song(track)),
      },
    };
  }

  private async setRating(request: SubsonicRequest): Promise<SubsonicObject> {
    const id = request.params.required('id');
    // Checked as text: a number parser's floor of 0 made -3 a 0, which removes the rating.
    const raw = request.params.required('rating');
    if (!/^[0-5]$/.test(raw)) throw new SubsonicError(SubsonicErrorCode.Generic, 'rating must be 0 to 5');
    const rating = Number(raw);
    if (!exists(await this.catalog.current(), id)) throw notFound('Item', id);
    await this.users.rate(request.identity.id, id, rating);
    return {};
  }

  private async playlists(request: SubsonicRequest): Promise<SubsonicObject> {
    const asked = request.params.string('username');
    if (asked && asked.toLowerCase() !== request.identity.name.toLowerCase()) {
      throw new SubsonicError(SubsonicErrorCode.NotAuthorized, 'Only your own playlists can be listed');
    }
    const [playlists, library] = await Promise.all([
      this.users.playlists(request.identity.id),
      this.catalog.current(),
    ]);
    return { playlists: { playlist: playlists.map((playlist) => playlistSummary(playlist, library)) } };
  }

  private async playlist(request: SubsonicRequest): Promise<SubsonicObject> {
    const id = request.params.required('id');
    const playlist = await this.users.playlist(request.identity.id, id);
    return { playlist: await this.playlistWithEntries(request, playlist) };
  }

  private async playlistWithEntries(
    request: SubsonicRequest,
    playlist: MusicPlaylist,
  ): Promise<SubsonicObject> {
    const { library, map } = await this.context(request);
    const tracks = playlist.trackIds.map((id) => library.trackById.get(id)).filter((t) => t !== undefined);
    return { ...playlistSummary(playlist, library), entry: tracks.map((track) => map.song(track)) };
  }

  private async createPlaylist(request: SubsonicRequest): Promise<SubsonicObject> {
    const { params, identity } = request;
    const existing = params.string('playlistId');
    const songIds = params.all('songId');
    await this.requireTracks(songIds);
    if (existing) {
      const library = await this.catalog.current();
      const updated = await this.users.update(identity.id, existing, (playlist) => {
        playlist.trackIds = replaceShown(playlist.trackIds, songIds, (id) => library.trackById.has(id));
        const name = params.string('name');
        if (name) playlist.name = name;
      });
      return { playlist: await this.playlistWithEntries(request, updated) };
    }
    const name = params.required('name');
    const created = await this.users.create({ id: identity.id, name: identity.name }, name, songIds);
    return { playlist: await this.playlistWithEntries(request, created) };
  }

  private async updatePlaylist(request: SubsonicRequest): Promise<SubsonicObject> {
    const { params, identity } = request;
    const id = params.required('playlistId');
    const add = params.all('songIdToAdd');
    await this.requireTracks(add);
    // Digits only: Number() read " " as 0, "0x1" as 1.
    const asked = params
      .all('songIndexToRemove')
      .filter((index) => /^\d{1,9}$/.test(index))
      .map(Number);
    const library = await this.catalog.current();
    await this.users.update(identity.id, id, (playlist) => {
      // Indexes count the entries the client was shown: songs the site shows (its scope, not deleted).
      const shown = playlist.trackIds.flatMap((trackId, index) =>
        library.trackById.has(trackId) ? [index] : [],
      );
      const remove = new Set(asked.map((index) => shown[index]));
      const name = params.string('name');
      const comment = params.string('comment');
      if (name) playlist.name = name;
      if (comment !== undefined) playlist.comment = comment;
      if (params.string('public') !== undefined) playlist.public = params.bool('public', false);
      playlist.trackIds = [...playlist.trackIds.filter((_, index) => !remove.has(index)), ...add];
    });
    return {};
  }

  private async deletePlaylist(request: SubsonicRequest): Promise<SubsonicObject> {
    await this.users.delete(request.identity.id, request.params.required('id'));
    return {};
  }

  private async nowPlaying(request: SubsonicRequest): Promise<SubsonicObject> {
    const [entries, { library, map }] = await Promise.all([this.users.nowPlaying(), this.context(request)]);
    const entry = entries.flatMap((playing) => {
      const track = library.trackById.get(playing.trackId);
      if (!track) return [];
      return [
        {
          ...map.song(track),
          username: playing.username,
          minutesAgo: Math.floor((Date.now() - playing.at) / 60000),
          playerId: 0,
          playerName: playing.player,
        },
      ];
    });
    return { nowPlaying: { entry } };
  }

  private user(request: SubsonicRequest): SubsonicObject {
    const username = request.params.required('username');
    if (username.toLowerCase() !== request.identity.name.toLowerCase()) {
      throw new SubsonicError(SubsonicErrorCode.NotAuthorized, 'Only your own account can be read');
    }
    return {
      user: {
        username: request.identity.name,
        scrobblingEnabled: true,
        adminRole: false,
        settingsRole: false,
        downloadRole: true,
        uploadRole: false,
        playlistRole: true,
        coverArtRole: true,
        commentRole: false,
        podcastRole: false,
        streamRole: true,
        jukeboxRole: false,
        shareRole: false,
        videoConversionRole: false,
        folder: [MUSIC_FOLDER_ID],
      },
    };
  }

  private async lyrics(request: SubsonicRequest): Promise<SubsonicObject> {
    const artist = request.params.string('artist')?.toLowerCase();
    const title = request.params.string('title')?.toLowerCase();
    const library = await this.catalog.current();
    const track = title
      ? library.tracks.find(
          (t) =>
            t.title.toLowerCase() === title && (!artist || t.artist.toLowerCase() === artist) && t.lyrics,
        )
      : undefined;
    if (!track?.lyrics)
      return { lyrics: { artist: request.params.string('artist'), title: request.params.string('title') } };
    const text = track.lyrics.plain ?? track.lyrics.synced?.map((line) => line.value).join('\n');
    return { lyrics: { artist: track.artist, title: track.title, value: text } };
  }

  private async lyricsBySongId(request: SubsonicRequest): Promise<SubsonicObject> {
    const id = request.params.required('id');
    const library = await this.catalog.current();
    const track = library.trackById.get(id);
    if (!track) throw notFound('Song', id);
    const lyrics = track.lyrics;
    if (!lyrics) return { lyricsList: { structuredLyrics: [] } };
    const base = {
      displayArtist: track.artist,
      displayTitle: track.title,
      lang: lyrics.lang ?? 'xxx',
      offset: 0,
    };
    const structured = lyrics.synced
      ? {
          ...base,
          synced: true,
          line: lyrics.synced.map((line) => ({ start: line.start, value: line.value })),
        }
      : { ...base, synced: false, line: (lyrics.plain ?? '').split(/\r?\n/).map((value) => ({ value })) };
    return { lyricsList: { structuredLyrics: [structured] } };
  }

  private async requireTracks(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const library = await this.catalog.current();
    for (const id of ids) if (!library.trackById.has(id)) throw notFound('Song', id);
  }
}

function notFound(what: string, id: string): SubsonicError {
  return new SubsonicError(SubsonicErrorCode.NotFound, `${what} not found: ${id.slice(0, 60)}`);
}

function exists(library: CatalogSnapshot, id: string): boolean {
  const kind = kindOfId(id);
  if (kind === 'artist') return library.artistById.has(id);
  if (kind === 'album') return library.albumById.has(id);
  if (kind === 'track') return library.trackById.has(id);
  return false;
}

/** The name as the index files it: without a leading article of IGNORED_ARTICLES. */
function withoutArticle(name: string): string {
  return name.replace(/^(the|el|la|los|las|le|les)\s+/i, '');
}

function indexLetter(name: string): string {
  const first = withoutArticle(name).normalize('NFKD').replace(/\p{M}/gu, '').charAt(0).toUpperCase();
  return /[A-Z]/.test(first) ? first : '#';
}

/**
 * A playlist's songs replaced by those a client sent, which knew only the ones shown to it (the
 * site's scope, not deleted): the others keep their places among them (updatePlaylist keeps them too).
 */
function replaceShown(
  current: readonly string[],
  sent: readonly string[],
  shown: (id: string) => boolean,
): string[] {
  const next: string[] = [];
  let taken = 0;
  for (const id of current) {
    if (!shown(id)) next.push(id);
    else if (taken < sent.length) next.push(sent[taken++]);
  }
  return [...next, ...sent.slice(taken)];
}

/** `size` items picked at random (a partial Fisher-Yates shuffle of a copy of the indices touched). */
function sample<T>(items: readonly T[], size: number): T[] {
  const picked = new Map<number, number>();
  const out: T[] = [];
  const n = items.length;
  for (let i = 0; i < Math.min(size, n); i++) {
    const j = i + Math.floor(Math.random() * (n - i));
    const atJ = picked.get(j) ?? j;
    picked.set(j, picked.get(i) ?? i);
    out.push(items[atJ]);
  }
  return out;
}

function playlistSummary(playlist: MusicPlaylist, library: CatalogSnapshot): SubsonicObject {
  const tracks = playlist.trackIds.map((id) => library.trackById.get(id)).filter((t) => t !== undefined);
  return {
    id: playlist._id,
    name: playlist.name,
    comment: playlist.comment,
    owner: playlist.ownerName,
    public: playlist.public,
    songCount: tracks.length,
    duration: tracks.reduce((sum, track) => sum + (track.duration ?? 0), 0),
    created: new Date(playlist.createdAt),
    changed: new Date(playlist.updatedAt),
    coverArt: tracks.find((track) => track.coverFileId)?.albumId,
  };
}

/** Subsonic's answer to a method the user's roles do not allow. */
function refused(): never {
  throw new SubsonicError(SubsonicErrorCode.NotAuthorized, 'user is not authorized for the given operation');
}
