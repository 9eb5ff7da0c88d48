import { Injectable } from '@nestjs/common';
import {
  type CatalogFacets,
  type CatalogFilter,
  type CatalogPage,
  type CatalogSort,
  type ListQuery,
} from './catalog-query.js';
import { CatalogScanReader } from './catalog-scan.reader.js';
import { type TitleCard } from './title-card.js';

export const MAX_PAGE = 100;
/** Deeper than this nobody pages by hand; it also bounds what one request can make the index walk. */
export const MAX_OFFSET = 10_000;

export interface SearchOptions extends CatalogFilter {
  limit?: number;
  offset?: number;
}

export interface ListOptions extends CatalogFilter {
  sort?: CatalogSort;
  limit?: number;
  offset?: number;
}

/**
 * The library's read side for lists of titles: search, browse, facet counts and cards by id. Every
 * caller that shows many titles (API, site, bot, panel) asks here, never the `titles` collection.
 */
@Injectable()
export class CatalogQueryService {
  constructor(private readonly scan: CatalogScanReader) {}

  /** Titles matching the words of `q`, best first. Blank or punctuation-only `q` matches nothing. */
  async search(q: string, options: SearchOptions = {}): Promise<CatalogPage> {
    const { limit, offset } = paging(options);
    const page = await this.scan.search({ ...filterOf(options), q, limit, offset });
    return { ...page, source: 'database', rebuilding: false };
  }

  /** A page of titles in the chosen order, with how many match the filter in all. */
  async list(options: ListOptions = {}): Promise<CatalogPage> {
    const query: ListQuery = { ...filterOf(options), sort: options.sort ?? 'newest', ...paging(options) };
    const page = await this.scan.list(query);
    return { ...page, source: 'database', rebuilding: false };
  }

  /** How many titles there are per kind, genre and year (within one kind when given). */
  async facets(filter: Pick<CatalogFilter, 'kind'> = {}): Promise<CatalogFacets> {
    return { ...(await this.scan.facets(filter)), source: 'database', rebuilding: false };
  }

  /** Cards of the given titles, in the order given; unknown ids are left out. */
  async cards(ids: readonly string[]): Promise<TitleCard[]> {
    return this.scan.cards(ids.slice(0, MAX_PAGE * 10));
  }
}

function paging(options: { limit?: number; offset?: number }): { limit: number; offset: number } {
  const limit = Math.min(MAX_PAGE, Math.max(1, Math.floor(options.limit ?? 24)));
  const offset = Math.min(MAX_OFFSET, Math.max(0, Math.floor(options.offset ?? 0)));
  return { limit, offset };
}

function filterOf(options: CatalogFilter): CatalogFilter {
  const filter: CatalogFilter = {};
  if (options.kind) filter.kind = options.kind;
  if (options.genre?.trim()) filter.genre = options.genre;
  if (options.year !== undefined) filter.year = options.year;
  return filter;
}
