import { type TitleKind } from '../release-name/parsed-release.js';
import { type TitleFields } from '../library.service.js';
import { fetchJson } from './fetch-json.js';
import { type ExternalIds } from '../schemas/title.schema.js';
import { type EpisodeStillSource, type MetadataProvider, type MetadataQuery } from './metadata-provider.js';

/** A season asks for at most this many episodes' stills, and a title for at most this many seasons. */
const MAX_SEASONS = 40;

interface TmdbSeason {
  episodes?: { episode_number: number; still_path?: string | null }[];
}

interface TmdbSearch {
  results: { id: number }[];
}

interface TmdbDetails {
  id: number;
  title?: string;
  name?: string;
  original_title?: string;
  original_name?: string;
  overview?: string;
  release_date?: string;
  first_air_date?: string;
  genres?: { name: string }[];
  poster_path?: string | null;
  backdrop_path?: string | null;
  imdb_id?: string | null;
  external_ids?: { imdb_id?: string | null };
}

/** TMDB (v3 API, `api_key` query parameter): movies and series; anime too when Jikan has no match. */
export class TmdbProvider implements MetadataProvider {
  readonly name = 'tmdb';

  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string | undefined,
    private readonly imageBaseUrl: string,
  ) {}

  serves(_kind: TitleKind): boolean {
    return Boolean(this.apiKey);
  }

  async lookup(query: MetadataQuery): Promise<TitleFields | undefined> {
    const type = query.kind === 'movie' ? 'movie' : 'tv';
    const search = this.url(`search/${type}`, { query: query.name });
    if (query.year)
      search.searchParams.set(type === 'movie' ? 'year' : 'first_air_date_year', String(query.year));
    const found = await fetchJson<TmdbSearch>(search);
    const best = found?.results[0];
    if (!best) return undefined;
    const details = await fetchJson<TmdbDetails>(
      this.url(`${type}/${best.id}`, { append_to_response: 'external_ids' }),
    );
    return details && toFields(details, this.imageBaseUrl);
  }

  /** `tv/{id}/season/{n}` per season the title has; TMDB's `w300` is its still size. */
  async episodeStills(ids: ExternalIds, seasons: readonly number[]): Promise<EpisodeStillSource[]> {
    if (!ids.tmdb) return [];
    const stills: EpisodeStillSource[] = [];
    for (const season of [...new Set(seasons)].slice(0, MAX_SEASONS)) {
      const found = await fetchJson<TmdbSeason>(this.url(`tv/${ids.tmdb}/season/${season}`, {}));
      for (const episode of found?.episodes ?? []) {
        if (!episode.still_path || !Number.isInteger(episode.episode_number)) continue;
        stills.push({
          season,
          episode: episode.episode_number,
          source: `${this.imageBaseUrl}/w300${episode.still_path}`,
        });
      }
    }
    return stills;
  }

  private url(path: string, params: Record<string, string>): URL {
    const url = new URL(path, this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`);
    url.searchParams.set('api_key', this.apiKey ?? '');
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    return url;
  }
}

function toFields(details: TmdbDetails, imageBaseUrl: string): TitleFields {
  const name = details.title ?? details.name;
  const originalName = details.original_title ?? details.original_name;
  const date = details.release_date || details.first_air_date;
  const imdb = details.imdb_id ?? details.external_ids?.imdb_id ?? undefined;
  return {
    name,
    originalName: originalName && originalName !== name ? originalName : undefined,
    year: date ? Number(date.slice(0, 4)) : undefined,
    overview: details.overview || undefined,
    genres: details.genres?.map((genre) => genre.name),
    poster: details.poster_path ? `${imageBaseUrl}/w500${details.poster_path}` : undefined,
    backdrop: details.backdrop_path ? `${imageBaseUrl}/w1280${details.backdrop_path}` : undefined,
    externalIds: { tmdb: details.id, ...(imdb ? { imdb } : {}) },
  };
}
