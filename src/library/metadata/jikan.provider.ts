import { type TitleKind } from '../release-name/parsed-release.js';
import { type TitleFields } from '../library.service.js';
import { fetchJson } from './fetch-json.js';
import { type MetadataProvider, type MetadataQuery } from './metadata-provider.js';

/** An anime or a manga as Jikan's search answers (the fields we read; manga say `published`, not `aired`). */
interface JikanAnime {
  mal_id: number;
  title: string;
  title_english?: string | null;
  title_japanese?: string | null;
  titles?: { type: string; title: string }[];
  synopsis?: string | null;
  year?: number | null;
  aired?: { from?: string | null };
  published?: { from?: string | null };
  genres?: { name: string }[];
  images?: { jpg?: { large_image_url?: string | null; image_url?: string | null } };
}

/** Jikan (the MyAnimeList API, no key): anime, and manga from its manga endpoint. */
export class JikanProvider implements MetadataProvider {
  readonly name = 'jikan';

  constructor(private readonly baseUrl: string) {}

  serves(kind: TitleKind): boolean {
    return kind === 'anime' || kind === 'manga';
  }

  async lookup(query: MetadataQuery): Promise<TitleFields | undefined> {
    const url = new URL(
      query.kind === 'manga' ? 'manga' : 'anime',
      this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`,
    );
    url.searchParams.set('q', query.name);
    url.searchParams.set('limit', '5');
    const found = await fetchJson<{ data: JikanAnime[] }>(url);
    const candidates = found?.data ?? [];
    const best = candidates.find((anime) => yearOf(anime) === query.year) ?? candidates[0];
    return best && toFields(best);
  }
}

function yearOf(anime: JikanAnime): number | undefined {
  const from = anime.aired?.from ?? anime.published?.from;
  return anime.year ?? (from ? Number(from.slice(0, 4)) : undefined);
}

function toFields(anime: JikanAnime): TitleFields {
  const name = anime.title_english || anime.title;
  const aliases = [anime.title, ...(anime.titles ?? []).map((entry) => entry.title)].filter(
    (alias, index, all) => alias !== name && all.indexOf(alias) === index,
  );
  return {
    name,
    originalName: anime.title_japanese || undefined,
    aliases,
    year: yearOf(anime),
    overview: anime.synopsis || undefined,
    genres: anime.genres?.map((genre) => genre.name),
    poster: anime.images?.jpg?.large_image_url || anime.images?.jpg?.image_url || undefined,
    externalIds: { mal: anime.mal_id },
  };
}
