import { Injectable } from '@nestjs/common';
import { TenantContext } from '../../../core/tenancy/tenant-context.js';
import { ExpiringMap } from '../../../core/util/expiring-map.js';
import {
  type CatalogFacets,
  type CatalogSort,
  CATALOG_SORTS,
} from '../../../library/catalog/catalog-query.js';
import { CatalogQueryService } from '../../../library/catalog/catalog-query.service.js';
import { type TitleKind } from '../../../library/release-name/parsed-release.js';
import { TITLE_KINDS } from '../../../library/schemas/title.schema.js';
import { cardView, kindLabel } from './card-view.js';

/** Cards per home row, and per browse or search page. */
const ROW_SIZE = 12;
export const PAGE_SIZE = 24;
/** Genres given a home row (the most common ones). */
const HOME_GENRES = 4;
/** Longer search text is cut: no title name needs more, and it bounds the work one request makes. */
export const MAX_QUERY_LENGTH = 200;

export interface BrowseParams {
  kind?: TitleKind;
  genre?: string;
  year?: number;
  sort: CatalogSort;
  page: number;
}

/**
 * Query parameters as the browse page accepts them: anything it does not recognise is ignored (a
 * stale or hand-edited link still shows titles) rather than refused.
 */
export function browseParams(query: Record<string, unknown>): BrowseParams {
  const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');
  const kind = text(query.kind) as TitleKind;
  const year = Number(text(query.year));
  const sort = text(query.sort) as CatalogSort;
  const page = Number(text(query.page));
  const genre = text(query.genre).slice(0, 60);
  return {
    kind: TITLE_KINDS.includes(kind) ? kind : undefined,
    genre: genre || undefined,
    year: Number.isInteger(year) && year >= 1870 && year <= 2200 ? year : undefined,
    sort: CATALOG_SORTS.includes(sort) ? sort : 'newest',
    page: Number.isInteger(page) && page >= 1 && page <= 400 ? page : 1,
  };
}

/**
 * A site's home page rows are the same for every visitor (the personal row comes from the progress API
 * in the browser), so one answer serves the site's visitors for this long, as long as its catalogue's
 * counts and scope are unchanged (a title added or removed shows at once): one cheap facet read
 * instead of about ten lists.
 */
const HOME_TTL_MS = 10_000;
/** Far more sites than an install has: only a bound. */
const HOME_CACHED_SITES = 1000;

/** Home, browse and search pages: read only through the catalog read API. */
@Injectable()
export class CatalogPagesService {
  /** Per site: two sites' rows are two sites' titles, even when their counts agree. */
  private readonly homeCache = new ExpiringMap<string, { counts: string; rows: Promise<HomeRows> }>(
    HOME_CACHED_SITES,
    HOME_TTL_MS,
  );

  constructor(private readonly catalog: CatalogQueryService) {}

  /** Concurrent visitors share one read; a failed read is not kept. */
  async home(): Promise<HomeRows> {
    const site = TenantContext.current();
    const facets = await this.catalog.facets();
    const counts = JSON.stringify([
      site.scope,
      facets.total,
      facets.kinds,
      facets.genres.slice(0, HOME_GENRES),
    ]);
    const cached = this.homeCache.get(site.id);
    if (cached?.counts === counts) return cached.rows;
    const rows = this.readHome(facets);
    this.homeCache.set(site.id, { counts, rows });
    rows.catch(() => {
      if (this.homeCache.get(site.id)?.rows === rows) this.homeCache.delete(site.id);
    });
    return rows;
  }

  private async readHome(facets: CatalogFacets) {
    const rows = [
      { heading: 'Newest', href: '/browse', list: this.catalog.list({ sort: 'newest', limit: ROW_SIZE }) },
      ...facets.kinds
        .filter((kind) => kind.count > 0)
        .map((kind) => ({
          heading: plural(kindLabel(kind.value)),
          href: `/browse?kind=${encodeURIComponent(kind.value)}`,
          list: this.catalog.list({ kind: kind.value as TitleKind, sort: 'newest', limit: ROW_SIZE }),
        })),
      ...facets.genres.slice(0, HOME_GENRES).map((genre) => ({
        heading: genre.value,
        href: `/browse?genre=${encodeURIComponent(genre.value)}`,
        list: this.catalog.list({ genre: genre.value, sort: 'newest', limit: ROW_SIZE }),
      })),
    ];
    const lists = await Promise.all(rows.map((row) => row.list));
    return {
      empty: facets.total === 0,
      rows: rows
        .map((row, i) => ({ heading: row.heading, href: row.href, cards: lists[i].items.map(cardView) }))
        .filter((row) => row.cards.length > 0),
    };
  }

  async browse(params: BrowseParams) {
    const [page, facets] = await Promise.all([
      this.catalog.list({
        kind: params.kind,
        genre: params.genre,
        year: params.year,
        sort: params.sort,
        limit: PAGE_SIZE,
        offset: (params.page - 1) * PAGE_SIZE,
      }),
      this.catalog.facets({ kind: params.kind }),
    ]);
    const link = (pageNumber: number) => {
      const query = new URLSearchParams();
      if (params.kind) query.set('kind', params.kind);
      if (params.genre) query.set('genre', params.genre);
      if (params.year) query.set('year', String(params.year));
      if (params.sort !== 'newest') query.set('sort', params.sort);
      if (pageNumber > 1) query.set('page', String(pageNumber));
      const text = query.toString();
      return text ? `/browse?${text}` : '/browse';
    };
    const pages = Math.max(1, Math.ceil(page.total / PAGE_SIZE));
    return {
      cards: page.items.map(cardView),
      total: page.total,
      one: page.total === 1,
      kinds: TITLE_KINDS.map((kind) => ({
        value: kind,
        label: kindLabel(kind),
        selected: kind === params.kind,
      })),
      genres: options(facets.genres, params.genre),
      years: options(facets.years, params.year === undefined ? undefined : String(params.year)),
      sorts: CATALOG_SORTS.map((sort) => ({
        value: sort,
        label: SORT_LABELS[sort],
        selected: sort === params.sort,
      })),
      page: params.page,
      pages,
      previous: params.page > 1 ? link(params.page - 1) : undefined,
      next: params.page < pages ? link(params.page + 1) : undefined,
    };
  }

  async search(rawQuery: string, pageNumber: number) {
    const q = rawQuery.slice(0, MAX_QUERY_LENGTH);
    if (!q.trim()) return { q, cards: [], total: 0, searched: false };
    const page = await this.catalog.search(q, { limit: PAGE_SIZE, offset: (pageNumber - 1) * PAGE_SIZE });
    const pages = Math.max(1, Math.ceil(page.total / PAGE_SIZE));
    const link = (n: number) =>
      `/search?${new URLSearchParams({ q, ...(n > 1 ? { page: String(n) } : {}) })}`;
    return {
      q,
      cards: page.items.map(cardView),
      total: page.total,
      one: page.total === 1,
      searched: true,
      previous: pageNumber > 1 ? link(pageNumber - 1) : undefined,
      next: pageNumber < pages ? link(pageNumber + 1) : undefined,
      page: pageNumber,
      pages,
    };
  }
}

type HomeRows = Awaited<ReturnType<CatalogPagesService['readHome']>>;

const SORT_LABELS: Record<CatalogSort, string> = { newest: 'Newest', name: 'Name', year: 'Year' };

function plural(label: string): string {
  return label === 'Series' || label === 'Anime' ? label : `${label}s`;
}

function options(counts: readonly { value: string; count: number }[], selected: string | undefined) {
  return counts.map((c) => ({
    value: c.value,
    label: `${c.value} (${c.count})`,
    selected: c.value === selected,
  }));
}
