import { AppError } from '../../core/errors/app-error.js';
import { Injectable, Logger } from '@nestjs/common';
import { TenantContext } from '../../core/tenancy/tenant-context.js';
import { type TenantScope } from '../../core/tenancy/tenant.js';
import { CATALOG_INDEX_VERSION } from './catalog-entry.js';
import { CatalogIndexReader } from './catalog-index.reader.js';
import { CatalogIndexRepository, IndexGoneError } from './catalog-index.repository.js';
import {
  type CatalogFacets,
  type CatalogFilter,
  type CatalogPage,
  type CatalogReader,
  type CatalogSort,
  type CatalogSource,
  type ListQuery,
} from './catalog-query.js';
import { CatalogRebuilder } from './catalog-rebuilder.js';
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

interface Answerer {
  reader: CatalogReader;
  source: CatalogSource;
  rebuilding: boolean;
}

/**
 * The library's read side for lists of titles: search, browse, facet counts and cards by id. Every
 * caller that shows many titles (API, site, bot, panel) asks here, never the `titles` collection.
 * Answers come from the Redis index; while it is missing, of another version or being rebuilt from
 * nothing, from a database scan (marked `rebuilding`), and a rebuild is started.
 */
@Injectable()
export class CatalogQueryService {
  private readonly logger = new Logger('catalog');
  private lastRedisWarning = 0;

  constructor(
    private readonly scan: CatalogScanReader,
    private readonly index: CatalogIndexRepository,
    private readonly rebuilder: CatalogRebuilder,
  ) {}

  /** Titles matching the words of `q`, best first. Blank or punctuation-only `q` matches nothing. */
  async search(q: string, options: SearchOptions = {}): Promise<CatalogPage> {
    const { limit, offset } = paging(options);
    return this.answer((reader) => reader.search({ ...filterOf(options), q, limit, offset }));
  }

  /** A page of titles in the chosen order, with how many match the filter in all. */
  async list(options: ListOptions = {}): Promise<CatalogPage> {
    const query: ListQuery = { ...filterOf(options), sort: options.sort ?? 'newest', ...paging(options) };
    return this.answer((reader) => reader.list(query));
  }

  /** How many titles there are per kind, genre and year (within one kind when given). */
  async facets(filter: Pick<CatalogFilter, 'kind'> = {}): Promise<CatalogFacets> {
    const scope = currentScope();
    return this.answer((reader) =>
      reader.facets({ ...(filter.kind ? { kind: filter.kind } : {}), ...(scope ? { scope } : {}) }),
    );
  }

  /** Cards of the given titles, in the order given; unknown ids (and titles out of scope) are left out. */
  async cards(ids: readonly string[]): Promise<TitleCard[]> {
    const wanted = ids.slice(0, MAX_PAGE * 10);
    const { items } = await this.answer(async (reader) => ({ items: await reader.cards(wanted) }));
    if (currentScope() === undefined) return items;
    const kept = await Promise.all(items.map((card) => this.inScope(card.id)));
    return items.filter((_, index) => kept[index]);
  }

  /**
   * Whether the current site shows this title (a franchise tenant may show part of the library).
   * While the index is unavailable a scoped site shows nothing rather than everything.
   */
  async inScope(titleId: string): Promise<boolean> {
    const scope = currentScope();
    if (!scope) return true;
    try {
      const meta = await this.index.meta();
      if (meta.current === undefined || meta.currentVersion !== CATALOG_INDEX_VERSION) return false;
      return await this.index.inScope(meta.current, scope, titleId);
    } catch {
      return false;
    }
  }

  private async answer<T>(ask: (reader: CatalogReader) => Promise<T>) {
    const answerer = await this.answerer();
    try {
      return { ...(await ask(answerer.reader)), source: answerer.source, rebuilding: answerer.rebuilding };
    } catch (error) {
      if (!(error instanceof IndexGoneError)) throw error;
      this.rebuilder.ensureRebuilding('index keys gone');
      return { ...(await ask(this.scan)), source: 'database' as const, rebuilding: true };
    }
  }

  private async answerer(): Promise<Answerer> {
    try {
      const meta = await this.index.meta();
      const current = meta.current;
      // Whether its keys are still there is checked by each read (IndexGoneError), not here.
      if (current !== undefined && meta.currentVersion === CATALOG_INDEX_VERSION) {
        return { reader: new CatalogIndexReader(this.index, current), source: 'index', rebuilding: false };
      }
      this.rebuilder.ensureRebuilding(
        current === undefined ? 'no index yet' : `index generation ${current} missing or of another version`,
      );
      return { reader: this.scan, source: 'database', rebuilding: true };
    } catch (error) {
      // Redis unreachable: the database still answers, slowly.
      if (Date.now() - this.lastRedisWarning > 60_000) {
        this.lastRedisWarning = Date.now();
        this.logger.warn(
          `catalog index unreachable, answering from the database: ${(error as Error).message}`,
        );
      }
      return { reader: this.scan, source: 'database', rebuilding: false };
    }
  }
}

/** A deeper page is refused, not answered with the deepest one (which repeated it under every page number). */
function paging(options: { limit?: number; offset?: number }): { limit: number; offset: number } {
  const limit = Math.min(MAX_PAGE, Math.max(1, Math.floor(options.limit ?? 24)));
  const offset = Math.max(0, Math.floor(options.offset ?? 0));
  if (offset > MAX_OFFSET) {
    throw new AppError(
      400,
      'bad_request',
      `Lists go ${MAX_OFFSET.toLocaleString('en')} titles deep; narrow this one with a filter or a search to reach the rest.`,
    );
  }
  return { limit, offset };
}

/** The current tenant's scope when it shows only part of the library. */
function currentScope(): TenantScope | undefined {
  const scope = TenantContext.current().scope;
  return scope.mode === 'filtered' ? scope : undefined;
}

function filterOf(options: CatalogFilter): CatalogFilter {
  const filter: CatalogFilter = {};
  const scope = currentScope();
  if (scope) filter.scope = scope;
  if (options.kind) filter.kind = options.kind;
  if (options.genre?.trim()) filter.genre = options.genre;
  if (options.year !== undefined) filter.year = options.year;
  return filter;
}
