import { Injectable, Logger } from '@nestjs/common';
import { MusicRepository } from '../model/music.repository.js';
import { type MusicAlbum, type MusicArtist, type MusicTrack } from '../model/music.schema.js';
import { searchWords } from './search-words.js';

/** How often a request looks whether the library changed (one Redis GET). */
const REVISION_CHECK_MS = 1000;

export interface GenreCount {
  name: string;
  songCount: number;
  albumCount: number;
}

/** The library as the Subsonic API lists and searches it, in memory, ordered and indexed once per change. */
export interface CatalogSnapshot {
  revision: string;
  loadedAt: Date;
  /** By name. */
  albums: readonly MusicAlbum[];
  albumById: ReadonlyMap<string, MusicAlbum>;
  /** By artist, album, disc and track: the order search3 pages through. */
  tracks: readonly MusicTrack[];
  trackById: ReadonlyMap<string, MusicTrack>;
  /** By name; artists with no album of their own (only credited on tracks) included. */
  artists: readonly MusicArtist[];
  artistById: ReadonlyMap<string, MusicArtist>;
  genres: readonly GenreCount[];
  words: ReadonlyMap<string, readonly string[]>;
}

/**
 * Listing and search (getAlbumList2, search3, getRandomSongs...) from an in-memory copy of the music
 * library on each manager, rebuilt when the Redis revision moves (every filing bumps it): a request
 * never scans a collection, and a library of 100k tracks answers in milliseconds. Single items are
 * read from the database by `_id` elsewhere.
 */
@Injectable()
export class MusicCatalog {
  private readonly logger = new Logger('music');
  private snapshot?: CatalogSnapshot;
  private checkedAt = 0;
  private loading?: Promise<CatalogSnapshot>;

  constructor(private readonly repository: MusicRepository) {}

  async current(): Promise<CatalogSnapshot> {
    if (this.snapshot && Date.now() - this.checkedAt < REVISION_CHECK_MS) return this.snapshot;
    this.loading ??= this.refresh().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async refresh(): Promise<CatalogSnapshot> {
    const revision = await this.repository.revision();
    this.checkedAt = Date.now();
    if (this.snapshot?.revision === revision) return this.snapshot;
    const started = Date.now();
    const [albums, artists] = await Promise.all([this.repository.allAlbums(), this.repository.allArtists()]);
    this.snapshot = build(revision, albums, artists);
    this.logger.log(
      `music catalog: ${albums.length} albums, ${this.snapshot.tracks.length} tracks loaded in ${Date.now() - started} ms`,
    );
    return this.snapshot;
  }
}

const byName = new Intl.Collator('en', { sensitivity: 'base', numeric: true }).compare;

export function build(revision: string, albums: MusicAlbum[], artists: MusicArtist[]): CatalogSnapshot {
  albums.sort((a, b) => byName(a.name, b.name) || byName(a.artist, b.artist));
  artists.sort((a, b) => byName(a.name, b.name));
  const tracks = albums
    .slice()
    .sort((a, b) => byName(a.artist, b.artist) || byName(a.name, b.name))
    .flatMap((album) => album.tracks);
  const words = new Map<string, readonly string[]>();
  for (const artist of artists) words.set(artist._id, searchWords(artist.name));
  for (const album of albums) words.set(album._id, searchWords(album.name, album.artist));
  for (const track of tracks) words.set(track._id, searchWords(track.title, track.artist, track.album));
  const genres = new Map<string, GenreCount>();
  for (const album of albums) {
    for (const name of album.genres) {
      const key = name.toLowerCase();
      const entry = genres.get(key) ?? { name, songCount: 0, albumCount: 0 };
      entry.albumCount++;
      entry.songCount += album.tracks.filter((track) =>
        track.genres.some((g) => g.toLowerCase() === key),
      ).length;
      genres.set(key, entry);
    }
  }
  return {
    revision,
    loadedAt: new Date(),
    albums,
    albumById: new Map(albums.map((album) => [album._id, album])),
    tracks,
    trackById: new Map(tracks.map((track) => [track._id, track])),
    artists,
    artistById: new Map(artists.map((artist) => [artist._id, artist])),
    genres: [...genres.values()].sort((a, b) => byName(a.name, b.name)),
    words,
  };
}
