import { Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import { escapeRegex, searchTokens } from '../search/search-tokens.js';
import { type Title } from '../schemas/title.schema.js';
import { type TitleFilter, TitleRepository } from '../title.repository.js';
import { RANKED_CANDIDATES, rankCandidates } from '../title-search.service.js';
import {
  type CatalogFilter,
  type CatalogReader,
  type CatalogSort,
  genreKey,
  type ListQuery,
  type SearchQuery,
  sortedCounts,
} from './catalog-query.js';
import { toTitleCard, type TitleCard } from './title-card.js';

const MAX_QUERY_TOKENS = 8;

const SORT_ORDER: Record<CatalogSort, Record<string, 1 | -1>> = {
  newest: { updatedAt: -1, _id: -1 },
  name: { name: 1, _id: 1 },
  year: { year: -1, updatedAt: -1, _id: -1 },
};

/**
 * The slow path: the same questions answered by filtered scans of `titles`. On FerretDB's SQLite
 * backend each is a full scan, so it serves only while the index is missing or being rebuilt — and
 * as the "old way" the benchmark compares against.
 */
@Injectable()
export class CatalogScanReader implements CatalogReader {
  constructor(private readonly titles: TitleRepository) {}

  async search(query: SearchQuery) {
    if (query.scope) return { items: [], total: 0, truncated: false }; // as in list()
    const tokens = searchTokens(query.q).slice(0, MAX_QUERY_TOKENS);
    if (tokens.length === 0) return { items: [], total: 0, truncated: false };
    const filter = titleFilter(query);
    filter.searchTokens = { $in: tokens.map((token) => new RegExp(`^${escapeRegex(token)}`)) };
    const candidates = await this.titles.candidates(filter, RANKED_CANDIDATES + 1);
    const truncated = candidates.length > RANKED_CANDIDATES;
    const ranked = rankCandidates(candidates.slice(0, RANKED_CANDIDATES), tokens);
    const items = await this.cards(ranked.slice(query.offset, query.offset + query.limit).map(String));
    return { items, total: ranked.length, truncated };
  }

  async list(query: ListQuery) {
    // A franchise tenant's scope is a set in the index; without it a scoped site lists nothing
    // rather than the whole library.
    if (query.scope) return { items: [], total: 0, truncated: false };
    const filter = titleFilter(query);
    const [titles, total] = await Promise.all([
      this.titles.sorted(filter, SORT_ORDER[query.sort], query.offset, query.limit),
      this.titles.count(filter),
    ]);
    return { items: titles.map(toTitleCard), total, truncated: false };
  }

  async facets(filter: Pick<CatalogFilter, 'kind' | 'scope'>) {
    if (filter.scope) return { total: 0, kinds: [], genres: [], years: [] }; // as in list()
    const kinds = new Map<string, number>();
    const genres = new Map<string, number>();
    const names = new Map<string, string>();
    const years = new Map<string, number>();
    let total = 0;
    for await (const title of this.titles.facetFields(titleFilter(filter))) {
      total++;
      kinds.set(title.kind, (kinds.get(title.kind) ?? 0) + 1);
      for (const genre of new Set((title.genres ?? []).map(genreKey).filter(Boolean))) {
        genres.set(genre, (genres.get(genre) ?? 0) + 1);
        names.set(genre, names.get(genre) ?? genreName(title.genres, genre));
      }
      if (title.year) years.set(String(title.year), (years.get(String(title.year)) ?? 0) + 1);
    }
    return {
      total,
      kinds: sortedCounts(kinds),
      // Counted by key (case-insensitive), shown as a title spells it, as the index answers.
      genres: sortedCounts(genres).map((entry) => ({
        ...entry,
        value: names.get(entry.value) ?? entry.value,
      })),
      years: sortedCounts(years, true),
    };
  }

  async cards(ids: readonly string[]): Promise<TitleCard[]> {
    const valid = ids.filter((id) => Types.ObjectId.isValid(id)).map((id) => new Types.ObjectId(id));
    return (await this.titles.findByIds(valid)).map(toTitleCard);
  }
}

function titleFilter(filter: CatalogFilter): TitleFilter {
  const query: TitleFilter = {};
  if (filter.kind) query.kind = filter.kind;
  if (filter.year !== undefined) query.year = filter.year;
  if (filter.genre) query.genres = new RegExp(`^\\s*${escapeRegex(filter.genre.trim())}\\s*$`, 'i');
  return query;
}

/** A genre as a title spells it (trimmed). */
function genreName(genres: string[], key: string): string {
  return genres.find((genre) => genreKey(genre) === key)?.trim() ?? key;
}

export type FacetFields = Pick<Title, 'kind' | 'genres' | 'year'>;
