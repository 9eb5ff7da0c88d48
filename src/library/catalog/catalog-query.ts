import { type TenantScope } from '../../core/tenancy/tenant.js';
import { type TitleKind } from '../release-name/parsed-release.js';
import { type TitleCard } from './title-card.js';

export const CATALOG_SORTS = ['newest', 'name', 'year'] as const;
/** newest: last added or changed first; name: A→Z; year: newest year first, then newest change. */
export type CatalogSort = (typeof CATALOG_SORTS)[number];

export interface CatalogFilter {
  kind?: TitleKind;
  genre?: string;
  year?: number;
  /** A franchise tenant's scope (only titles in it); absent: the whole library. */
  scope?: TenantScope;
}

export interface SearchQuery extends CatalogFilter {
  q: string;
  limit: number;
  offset: number;
}

export interface ListQuery extends CatalogFilter {
  sort: CatalogSort;
  limit: number;
  offset: number;
}

/** Where an answer came from: the maintained index, or a scan of the database while it is (re)built. */
export type CatalogSource = 'index' | 'database';

export interface CatalogPage {
  items: TitleCard[];
  total: number;
  /** A broad search matched more titles than are ranked; the best ranked of those are returned. */
  truncated: boolean;
  source: CatalogSource;
  /** True while the index is being rebuilt (the answer then comes from the database). */
  rebuilding: boolean;
}

export interface FacetCount {
  value: string;
  count: number;
}

export interface CatalogFacets {
  total: number;
  kinds: FacetCount[];
  genres: FacetCount[];
  years: FacetCount[];
  source: CatalogSource;
  rebuilding: boolean;
}

/** The same question answered by the index and by a database scan. */
export interface CatalogReader {
  search(query: SearchQuery): Promise<Omit<CatalogPage, 'source' | 'rebuilding'>>;
  list(query: ListQuery): Promise<Omit<CatalogPage, 'source' | 'rebuilding'>>;
  facets(
    filter: Pick<CatalogFilter, 'kind' | 'scope'>,
  ): Promise<Omit<CatalogFacets, 'source' | 'rebuilding'>>;
  cards(ids: readonly string[]): Promise<TitleCard[]>;
}

/** Genre names compare without case or surrounding space ("Sci-Fi" and "sci-fi " are one genre). */
export function genreKey(genre: string): string {
  return genre.trim().toLowerCase();
}

/** Facet counts, largest first, then by value. */
export function sortedCounts(counts: Map<string, number>, byValue = false): FacetCount[] {
  return [...counts]
    .map(([value, count]) => ({ value, count }))
    .sort(byValue ? (a, b) => b.value.localeCompare(a.value) : largestFirst);
}

/** Facet order: largest count first, then by name. */
export function largestFirst(a: FacetCount, b: FacetCount): number {
  return b.count - a.count || a.value.localeCompare(b.value);
}
