import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { TenantContext } from '../../core/tenancy/tenant-context.js';
import { type TenantScope } from '../../core/tenancy/tenant.js';
import { type ScopeSubject, scopeRule } from '../../library/catalog/scope-rule.js';
import { kindOfId } from '../model/music-ids.js';
import { type ChangesSince, MusicChangeLog } from '../model/music-change-log.js';
import { MusicRepository } from '../model/music.repository.js';
import { type MusicAlbum, type MusicArtist, type MusicTrack } from '../model/music.schema.js';
import { albumSubject } from '../model/album-scope.js';
import { searchWords } from './search-words.js';

/** How often a request looks whether the library changed (one Redis LLEN). */
const REVISION_CHECK_MS = 1000;
/** How long a request waits for a refresh (a few changes read by `_id`) before the copy it has is used. */
const REFRESH_WAIT_MS = 1000;
/** A manager saves its copy as the checkpoint at most this often while the library changes. */
const CHECKPOINT_EVERY_MS = 5 * 60 * 1000;

export interface GenreCount {
  name: string;
  songCount: number;
  albumCount: number;
}

/** The library as the Subsonic API lists and searches it, in memory, ordered and indexed once per change. */
export interface CatalogSnapshot {
  revision: number;
  loadedAt: Date;
  /** By name. */
  albums: readonly MusicAlbum[];
  /** Newest first, and by artist then name: the orders getAlbumList2 pages through. */
  albumsNewest: readonly MusicAlbum[];
  albumsByArtist: readonly MusicAlbum[];
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
 * library on each manager: loaded once at boot (from the Redis checkpoint another manager saved, else
 * from the database), then kept current from the change list in Redis
 * (every filing appends the album and artists it touched), reading only what changed, by `_id`. A
 * request never scans a collection and never waits for a refresh once a copy exists.
 *
 * A franchise tenant that shows part of the library sees a copy of its own: the albums its scope
 * admits (with their tracks, artists and genre counts), made once per change of the library and kept
 * with the copy it was made from; the whole library costs nothing extra.
 */
@Injectable()
export class MusicCatalog implements OnApplicationBootstrap {
  private readonly logger = new Logger('music');
  private snapshot?: CatalogSnapshot;
  private checkedAt = 0;
  private loading?: Promise<CatalogSnapshot>;
  private checkpointedAt = 0;

  constructor(
    private readonly repository: MusicRepository,
    private readonly changes: MusicChangeLog,
  ) {}

  onApplicationBootstrap(): void {
    void this.whole().catch((error: unknown) =>
      this.logger.warn(`music catalog not loaded yet: ${(error as Error).message}`),
    );
  }

  /** Scoped copies, per copy of the whole library and per scope (dropped with the copy). */
  private readonly views = new WeakMap<CatalogSnapshot, Map<string, CatalogSnapshot>>();

  /** The current copy as the current site shows it (its tenant's scope). */
  async current(): Promise<CatalogSnapshot> {
    const whole = await this.whole();
    const scope = TenantContext.current().scope;
    return scope.mode === 'filtered' ? this.scoped(whole, scope) : whole;
  }

  private scoped(whole: CatalogSnapshot, scope: TenantScope): CatalogSnapshot {
    const key = JSON.stringify([scope.kinds, scope.genres, scope.collections]);
    let views = this.views.get(whole);
    if (!views) this.views.set(whole, (views = new Map()));
    let view = views.get(key);
    if (!view) views.set(key, (view = scopedSnapshot(whole, scopeRule(scope))));
    return view;
  }

  /**
   * The current copy of the whole library. A refresh that takes longer than REFRESH_WAIT_MS (a big
   * backlog of changes) goes on in the background while requests are answered from the copy they have.
   */
  private async whole(): Promise<CatalogSnapshot> {
    if (this.snapshot && Date.now() - this.checkedAt < REVISION_CHECK_MS) return this.snapshot;
    this.loading ??= this.refresh().finally(() => (this.loading = undefined));
    if (!this.snapshot) return this.loading;
    const stale = this.snapshot;
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<CatalogSnapshot>(
      (resolve) => (timer = setTimeout(() => resolve(stale), REFRESH_WAIT_MS)),
    );
    const refreshed = this.loading.catch((error: unknown) => {
      this.logger.warn(`music catalog refresh failed: ${(error as Error).message}`);
      return stale;
    });
    try {
      return await Promise.race([refreshed, waited]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async refresh(): Promise<CatalogSnapshot> {
    const revision = await this.changes.revision();
    this.checkedAt = Date.now();
    const base = this.snapshot;
    if (base && base.revision === revision) return base;
    const changes = base && (await this.changes.since(base.revision));
    // No copy yet, or the changes it lacks are no longer all kept (or Redis lost them): load again.
    if (!base || !changes) return (this.snapshot = await this.initial());
    this.snapshot = await this.apply(base, changes);
    if (Date.now() - this.checkpointedAt > CHECKPOINT_EVERY_MS) this.checkpoint(this.snapshot);
    return this.snapshot;
  }

  /** A new copy with the changed albums and artists read again by `_id` (gone ones dropped). */
  private async apply(base: CatalogSnapshot, changes: ChangesSince): Promise<CatalogSnapshot> {
    const started = Date.now();
    const changed = [...new Set(changes.ids)];
    const albums = new Map(base.albumById);
    const artists = new Map(base.artistById);
    for (const id of changed) {
      if (kindOfId(id) === 'album') {
        const album = await this.repository.findAlbum(id);
        if (album) albums.set(id, album);
        else albums.delete(id);
      } else if (kindOfId(id) === 'artist') {
        const artist = await this.repository.findArtist(id);
        if (artist) artists.set(id, artist);
        else artists.delete(id);
      }
    }
    const snapshot = build(changes.revision, [...albums.values()], [...artists.values()], base);
    this.logger.debug(`music catalog: ${changed.length} change(s) applied in ${Date.now() - started} ms`);
    return snapshot;
  }

  /**
   * The first copy (or one after falling too far behind): the last checkpoint plus the changes after
   * it, when those are all still kept; else every album, once.
   */
  private async initial(): Promise<CatalogSnapshot> {
    const started = Date.now();
    const checkpoint = await this.changes.loadCheckpoint().catch((error: unknown) => {
      this.logger.warn(`music catalog checkpoint unreadable: ${(error as Error).message}`);
      return undefined;
    });
    const after = checkpoint && (await this.changes.since(checkpoint.revision));
    if (checkpoint && after) {
      const saved = build(checkpoint.revision, checkpoint.albums, checkpoint.artists);
      const snapshot = after.ids.length > 0 ? await this.apply(saved, after) : saved;
      this.checkpointedAt = Date.now();
      this.logger.log(
        `music catalog: ${checkpoint.albums.length} albums from the checkpoint of change ${checkpoint.revision} and ${after.ids.length} change(s) after it in ${Date.now() - started} ms`,
      );
      return snapshot;
    }
    // The revision is read first: a change filed while the albums are read is applied again later.
    const revision = await this.changes.revision();
    const [albums, artists] = await Promise.all([this.repository.allAlbums(), this.repository.allArtists()]);
    const snapshot = build(revision, albums, artists);
    this.logger.log(
      `music catalog: ${albums.length} albums, ${snapshot.tracks.length} tracks loaded in ${Date.now() - started} ms`,
    );
    this.checkpoint(snapshot);
    return snapshot;
  }

  /** Saves the copy for the next manager that starts (in the background; a failure only costs that). */
  private checkpoint(snapshot: CatalogSnapshot): void {
    this.checkpointedAt = Date.now();
    void this.changes
      .saveCheckpoint({
        revision: snapshot.revision,
        albums: [...snapshot.albums],
        artists: [...snapshot.artists],
      })
      .catch((error: unknown) =>
        this.logger.warn(`music catalog checkpoint not saved: ${(error as Error).message}`),
      );
  }
}

/** The part of a copy a scope admits: its albums, their tracks, the artists of those, their genres. */
export function scopedSnapshot(
  whole: CatalogSnapshot,
  admits: (subject: ScopeSubject) => boolean,
): CatalogSnapshot {
  const albums = whole.albums.filter((album) => admits(albumSubject(album)));
  const kept = new Set(albums.map((album) => album._id));
  const credited = new Set(albums.flatMap((album) => album.tracks.map((track) => track.artistId)));
  const artists = whole.artists.flatMap((artist) => {
    const albumIds = artist.albumIds.filter((id) => kept.has(id));
    return albumIds.length > 0 || credited.has(artist._id) ? [{ ...artist, albumIds }] : [];
  });
  return build(whole.revision, albums, artists, whole);
}

const byName = new Intl.Collator('en', { sensitivity: 'base', numeric: true }).compare;

/** A copy of `albums` and `artists`; `previous` lends the search words of the tracks it still has as they were. */
export function build(
  revision: number,
  albums: MusicAlbum[],
  artists: MusicArtist[],
  previous?: CatalogSnapshot,
): CatalogSnapshot {
  for (const artist of artists) artist.albumIds ??= [];
  albums.sort((a, b) => byName(a.name, b.name) || byName(a.artist, b.artist));
  artists.sort((a, b) => byName(a.name, b.name));
  const albumsByArtist = albums.slice().sort((a, b) => byName(a.artist, b.artist) || byName(a.name, b.name));
  const created = new Map(albums.map((album) => [album._id, new Date(album.createdAt).getTime()]));
  const albumsNewest = albums.slice().sort((a, b) => created.get(b._id)! - created.get(a._id)!);
  const tracks = albumsByArtist.flatMap((album) => album.tracks);
  // A track's words are reused only when it is the very object they were made from: an album that
  // changed is read again, so its tracks are new objects (a re-filed track keeps its id, not its words).
  const words = new Map<string, readonly string[]>();
  const known = (track: MusicTrack) =>
    previous?.trackById.get(track._id) === track ? previous.words.get(track._id) : undefined;
  for (const artist of artists) words.set(artist._id, searchWords(artist.name));
  for (const album of albums) words.set(album._id, searchWords(album.name, album.artist));
  for (const track of tracks) {
    words.set(track._id, known(track) ?? searchWords(track.title, track.artist, track.album));
  }
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
    albumsNewest,
    albumsByArtist,
    albumById: new Map(albums.map((album) => [album._id, album])),
    tracks,
    trackById: new Map(tracks.map((track) => [track._id, track])),
    artists,
    artistById: new Map(artists.map((artist) => [artist._id, artist])),
    genres: [...genres.values()].sort((a, b) => byName(a.name, b.name)),
    words,
  };
}
