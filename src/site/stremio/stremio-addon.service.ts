import { Inject, Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import { AppPasswordAuth, type AppPasswordIdentity } from '../../auth/app-passwords/app-password-auth.js';
import { APP_CONFIG, type AppConfig } from '../../core/config/app-config.js';
import { AppError } from '../../core/errors/app-error.js';
import { appVersion } from '../../core/heartbeat/app-version.js';
import { siteBrand } from '../../core/tenancy/site-brand.js';
import { siteOrigin } from '../../core/tenancy/site-origin.js';
import { TenantContext } from '../../core/tenancy/tenant-context.js';
import { ARTWORK_ID, type ArtworkSize, artworkPath } from '../../library/artwork/artwork-sizes.js';
import { CatalogQueryService, MAX_OFFSET } from '../../library/catalog/catalog-query.service.js';
import { type TitleCard } from '../../library/catalog/title-card.js';
import { LibraryService } from '../../library/library.service.js';
import { type MediaFile } from '../../library/schemas/media-file.schema.js';
import { type Title } from '../../library/schemas/title.schema.js';
import { MediaLinks } from '../pages/media-links.js';
import { ADDON_CATALOGS, CATALOG_PAGE_SIZE, stremioTypeOf } from './stremio-catalogs.js';
import { episodeVideoId, parseVideoId, titleMetaId, type VideoRef } from './stremio-ids.js';
import { type AddonKey } from './stremio-key.js';
import {
  STREMIO_TYPES,
  type StremioManifest,
  type StremioMeta,
  type StremioMetaPreview,
  type StremioStream,
  type StremioSubtitle,
  type StremioType,
  type StremioVideo,
} from './stremio-protocol.js';
import { byQuality, type StreamLinks, subtitlesOf, toStream } from './stremio-streams.js';

/** A search longer than this is not a title anyone types. */
export const MAX_SEARCH_LENGTH = 200;
/** Genre choices offered per catalog (most titles first). */
const MAX_GENRE_OPTIONS = 100;

export interface CatalogExtra {
  search?: string;
  genre?: string;
  skip?: number;
}

/**
 * The Stremio add-on: a translation of the library's read side (catalog index, titles and files by
 * `_id`) into the protocol's manifest, catalogs, metas, streams and subtitles, as the site asked
 * shows it: a franchise tenant's add-on is its own (id, name, logo), answers only for titles in its
 * scope, and its media URLs (the streamers' signed links, the local artwork) are absolute under the
 * site's own origin, where the tenant's app passwords and signed links are valid.
 */
@Injectable()
export class StremioAddonService {
  private readonly version: string;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly appPasswords: AppPasswordAuth,
    private readonly catalog: CatalogQueryService,
    private readonly library: LibraryService,
    private readonly links: MediaLinks,
  ) {
    const version = appVersion();
    this.version = /^\d+\.\d+\.\d+/.test(version) ? version : '0.0.0';
  }

  /** The app password's owner; 401 for a malformed, unknown or revoked one (or a disabled account). */
  async authorize(key: AddonKey): Promise<AppPasswordIdentity> {
    const identity = await this.appPasswords.verify(key.password);
    if (!identity)
      throw new AppError(
        401,
        'unauthorized',
        'This add-on URL holds an unknown or revoked app password: install it again from your account page.',
      );
    return identity;
  }

  async manifest(key: AddonKey): Promise<StremioManifest> {
    const chosen = ADDON_CATALOGS.filter((catalog) => key.catalogs.includes(catalog.name));
    const facets = await Promise.all(chosen.map((catalog) => this.catalog.facets({ kind: catalog.kind })));
    const origin = this.origin();
    const host = new URL(origin).host;
    const { name } = siteBrand(TenantContext.current());
    const ours = ['sv:'];
    return {
      // One id per site (its host), so two sites' add-ons live side by side in Stremio.
      id: `org.streamvault.${host.replace(/[^A-Za-z0-9]+/g, '-')}`,
      version: this.version,
      name,
      description: `Movies, series and anime from the ${name} library at ${host}.`,
      logo: `${origin}/stremio/logo.png`,
      resources: [
        { name: 'catalog', types: [...STREMIO_TYPES] },
        { name: 'meta', types: [...STREMIO_TYPES], idPrefixes: ours },
        { name: 'stream', types: [...STREMIO_TYPES], idPrefixes: [...ours, 'tt'] },
        { name: 'subtitles', types: [...STREMIO_TYPES], idPrefixes: [...ours, 'tt'] },
      ],
      types: [...STREMIO_TYPES],
      idPrefixes: [...ours, 'tt'],
      catalogs: chosen.map((catalog, i) => ({
        type: catalog.type,
        id: catalog.id,
        name: catalog.label,
        extra: [
          { name: 'search' },
          {
            name: 'genre',
            options: facets[i].genres.slice(0, MAX_GENRE_OPTIONS).map((genre) => genre.value),
          },
          { name: 'skip' },
        ],
      })),
      behaviorHints: { configurable: true, configurationRequired: false },
    };
  }

  /** A page of the catalog, newest first or by search relevance; `skip` pages by CATALOG_PAGE_SIZE. */
  async catalogPage(
    key: AddonKey,
    type: string,
    catalogId: string,
    extra: CatalogExtra,
  ): Promise<{ metas: StremioMetaPreview[] }> {
    const catalog = ADDON_CATALOGS.find(
      (candidate) =>
        candidate.id === catalogId && candidate.type === type && key.catalogs.includes(candidate.name),
    );
    if (!catalog)
      throw new AppError(
        404,
        'not_found',
        `This add-on has no ${type.slice(0, 20)} catalog "${catalogId.slice(0, 80)}".`,
      );
    const skip = extra.skip ?? 0;
    if (skip > MAX_OFFSET) return { metas: [] };
    const filter = { kind: catalog.kind, genre: extra.genre, limit: CATALOG_PAGE_SIZE, offset: skip };
    const page =
      extra.search !== undefined
        ? await this.catalog.search(extra.search, filter)
        : await this.catalog.list({ ...filter, sort: 'newest' });
    return { metas: page.items.map((card) => this.preview(card, catalog.type)) };
  }

  async meta(type: string, id: string): Promise<{ meta: StremioMeta }> {
    const ref = parseVideoId(id);
    if (ref?.source !== 'ours' || ref.season !== undefined) throw unknownMeta(type, id);
    const title = await this.ourTitle(ref.titleId);
    const stremioType = stremioTypeOf(title.kind);
    if (stremioType !== type) throw unknownMeta(type, id);
    const files = await this.library.findFiles(allFileIds(title));
    const meta: StremioMeta = {
      id: titleMetaId(String(title._id)),
      type: stremioType,
      name: title.name,
      poster: this.artwork(title.artwork?.poster, 'w342'),
      posterShape: 'poster',
      background: this.artwork(title.artwork?.backdrop, 'w1280'),
      description: title.overview,
      genres: title.genres,
      releaseInfo: title.year ? String(title.year) : undefined,
      imdb_id: title.externalIds?.imdb,
    };
    if (stremioType === 'movie') {
      const duration = files.find((file) => file.duration)?.duration;
      meta.runtime = duration ? `${Math.max(1, Math.round(duration / 60))} min` : undefined;
      meta.behaviorHints = { defaultVideoId: meta.id };
    } else {
      meta.videos = this.videos(title, files);
    }
    return { meta };
  }

  async streams(type: string, id: string): Promise<{ streams: StremioStream[] }> {
    const found = await this.videoFiles(type, id);
    if (!found) return { streams: [] };
    const titleId = String(found.title._id);
    const { name } = siteBrand(TenantContext.current());
    return {
      streams: found.files.sort(byQuality).map((file) => toStream(file, titleId, this.streamLinks, name)),
    };
  }

  /**
   * Text tracks of the video's files. With `videoSize` (Stremio sends our streams' `videoSize` hint
   * back) only the file playing: a size none of ours has is another add-on's video, whose timing our
   * tracks would not match.
   */
  async subtitles(type: string, id: string, videoSize?: number): Promise<{ subtitles: StremioSubtitle[] }> {
    const found = await this.videoFiles(type, id);
    if (!found) return { subtitles: [] };
    const files =
      videoSize === undefined ? found.files : found.files.filter((file) => file.size === videoSize);
    return { subtitles: files.flatMap((file) => subtitlesOf(file, this.streamLinks)) };
  }

  /**
   * The files of a movie (`sv:<id>`, `tt…`) or an episode (`…:<season>:<episode>`). An IMDb id we do
   * not have (or this site does not show) is no error (Stremio asks every add-on that takes `tt` ids):
   * undefined, answered empty.
   */
  private async videoFiles(
    type: string,
    id: string,
  ): Promise<{ title: Title; files: MediaFile[] } | undefined> {
    const ref = parseVideoId(id);
    if (!ref || !(STREMIO_TYPES as readonly string[]).includes(type)) throw unknownVideo(type, id);
    const title =
      ref.source === 'ours'
        ? await this.ourTitle(ref.titleId)
        : await this.library.findTitleByImdb(ref.imdbId);
    if (!title) return undefined;
    const fileIds = videoFileIds(title, type as StremioType, ref);
    if (!fileIds) {
      if (ref.source === 'ours') throw unknownVideo(type, id);
      return undefined;
    }
    return { title, files: await this.library.findFiles(fileIds) };
  }

  /** The title of an `sv:` id; 404 also when this site (a franchise tenant's scope) does not show it. */
  private ourTitle(titleId: string): Promise<Title> {
    return this.library.requireTitle(new Types.ObjectId(titleId));
  }

  private videos(title: Title, files: MediaFile[]): StremioVideo[] {
    const byId = new Map(files.map((file) => [String(file._id), file]));
    const stills = new Map(
      (title.episodeStills ?? []).map((still) => [`${still.season}:${still.episode}`, still.artwork]),
    );
    const titleId = String(title._id);
    return [...title.seasons]
      .sort((a, b) => a.number - b.number)
      .flatMap((season) =>
        [...season.episodes]
          .sort((a, b) => a.number - b.number)
          .map((episode) => {
            const first = episode.fileIds.map((fileId) => byId.get(String(fileId))).find(Boolean);
            const thumbnail =
              this.artwork(stills.get(`${season.number}:${episode.number}`), 'w342') ??
              (first && first.screenshots.length > 0
                ? this.absolute(this.links.still(String(first._id), Math.floor(first.screenshots.length / 2)))
                : undefined);
            return {
              id: episodeVideoId(titleId, season.number, episode.number),
              title: episode.name ?? `Episode ${episode.number}`,
              released: new Date(first?.createdAt ?? title.createdAt).toISOString(),
              season: season.number,
              episode: episode.number,
              thumbnail,
            };
          }),
      );
  }

  private preview(card: TitleCard, type: StremioType): StremioMetaPreview {
    return {
      id: titleMetaId(card.id),
      type,
      name: card.name,
      poster: this.artwork(card.posterArtwork, 'w342'),
      posterShape: 'poster' as const,
      genres: card.genres,
      releaseInfo: card.year ? String(card.year) : undefined,
    };
  }

  /** Our local copy, never the catalogue's CDN address; none yet → no image. */
  private artwork(id: string | null | undefined, size: ArtworkSize): string | undefined {
    return id && ARTWORK_ID.test(id) ? this.absolute(artworkPath(id, size)) : undefined;
  }

  /** The origin of the site asked (a tenant's own domain), where its signed links are valid. */
  private origin(): string {
    return siteOrigin(this.config, TenantContext.current());
  }

  private absolute(path: string): string {
    return `${this.origin()}${path}`;
  }

  private readonly streamLinks: StreamLinks = {
    stream: (file) => this.absolute(this.links.stream(String(file._id), file.fileName)),
    subtitle: (file, position) => this.absolute(this.links.subtitle(String(file._id), position)),
  };
}

function allFileIds(title: Title): Types.ObjectId[] {
  return [...title.fileIds, ...title.seasons.flatMap((s) => s.episodes.flatMap((e) => e.fileIds))];
}

/** A movie's files for a movie id, an episode's for an episode id of a series; else undefined. */
function videoFileIds(title: Title, type: StremioType, ref: VideoRef): Types.ObjectId[] | undefined {
  if (stremioTypeOf(title.kind) !== type) return undefined;
  if (type === 'movie') return ref.season === undefined ? title.fileIds : undefined;
  if (ref.season === undefined) return undefined;
  return title.seasons
    .find((season) => season.number === ref.season)
    ?.episodes.find((episode) => episode.number === ref.episode)?.fileIds;
}

function unknownMeta(type: string, id: string): AppError {
  return new AppError(404, 'not_found', `There is no ${type.slice(0, 20)} "${id.slice(0, 80)}" here.`);
}

function unknownVideo(type: string, id: string): AppError {
  return new AppError(404, 'not_found', `There is no ${type.slice(0, 20)} video "${id.slice(0, 80)}" here.`);
}
