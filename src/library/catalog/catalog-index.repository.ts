import { Inject, Injectable } from '@nestjs/common';
import { type ChainableCommander, type Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../../core/config/app-config.js';
import { RedisClient } from '../../core/redis/redis-client.js';
import {
  type CatalogFilter,
  type CatalogSort,
  type FacetCount,
  genreKey,
  largestFirst,
} from './catalog-query.js';
import { type CatalogEntry } from './catalog-entry.js';
import {
  LIST_SCRIPT,
  REMOVE_SCRIPT,
  SCOPE_SCRIPT,
  SCOPED_FACETS_SCRIPT,
  SEARCH_SCRIPT,
  UPSERT_SCRIPT,
} from './catalog-scripts.js';
import { createHash } from 'node:crypto';
import { type TenantScope } from '../../core/tenancy/tenant.js';
import { scopeFacets } from './scope-rule.js';
import { type TitleCard } from './title-card.js';

/** Which generation answers reads, which one a rebuild is filling, and the index version of each. */
export interface CatalogMeta {
  current?: number;
  currentVersion?: number;
  building?: number;
  buildingVersion?: number;
  buildStartedAt?: number;
}

interface CatalogCommands {
  catalogUpsert(key: string, prefix: string, id: string, revision: string, entry: string): Promise<number>;
  catalogRemove(key: string, prefix: string, id: string): Promise<number>;
  catalogSearch(key: string, ...args: (string | number)[]): Promise<(string | number)[] | null>;
  catalogList(key: string, ...args: (string | number)[]): Promise<(string | number)[] | null>;
  catalogScope(key: string, ...args: (string | number)[]): Promise<number>;
  catalogScopedFacets(key: string, ...args: string[]): Promise<[number, string[], string[], string[]] | null>;
}
type PipelineCommands = {
  [K in keyof CatalogCommands]: (...args: Parameters<CatalogCommands[K]>) => ChainableCommander;
};

/** More prefix expansions than this per query word and the answer is marked truncated. */
export const MAX_PREFIX_TOKENS = 100;

/** Order key and direction per sort, and the hash breaking ties of its score (ascending only). */
const ORDER: Record<CatalogSort, { key: string; desc: boolean; ties?: string }> = {
  newest: { key: 'all:new', desc: true },
  name: { key: 'all:name', desc: false, ties: 'names' },
  year: { key: 'all:year', desc: true },
};

export interface IndexPage {
  cards: TitleCard[];
  total: number;
  truncated: boolean;
}

/** Thrown when a generation was retired or flushed while it was being read. */
export class IndexGoneError extends Error {
  override name = 'IndexGoneError';
}

/** Cards from entry JSON replies (a hit deleted between ranking and fetching is a nil: left out). */
function cardsOf(docs: unknown[]): TitleCard[] {
  return docs.flatMap((doc) => (typeof doc === 'string' ? [(JSON.parse(doc) as CatalogEntry).c] : []));
}

/**
 * How long a tenant's scope set is reused before it is built again. Writes keep a built set in step
 * (the upsert and remove scripts), so this only lets the sets of scopes nobody reads any more expire.
 */
export const SCOPE_TTL_SECONDS = 600;

/**
 * The catalog index in Redis (every side effect of the index is here). A generation's keys share
 * one hash tag, `catalog:{<prefix>:g<N>}:...`; `catalog:meta` says which generation is live.
 */
@Injectable()
export class CatalogIndexRepository {
  private readonly client: Redis & CatalogCommands;

  constructor(
    redis: RedisClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.client = redis.client as Redis & CatalogCommands;
    this.client.defineCommand('catalogUpsert', { numberOfKeys: 1, lua: UPSERT_SCRIPT });
    this.client.defineCommand('catalogRemove', { numberOfKeys: 1, lua: REMOVE_SCRIPT });
    this.client.defineCommand('catalogSearch', { numberOfKeys: 1, lua: SEARCH_SCRIPT });
    this.client.defineCommand('catalogList', { numberOfKeys: 1, lua: LIST_SCRIPT });
    this.client.defineCommand('catalogScope', { numberOfKeys: 1, lua: SCOPE_SCRIPT });
    this.client.defineCommand('catalogScopedFacets', { numberOfKeys: 1, lua: SCOPED_FACETS_SCRIPT });
  }

  /** A generation's key, as given to ioredis (which adds REDIS_PREFIX). */
  key(gen: number, name: string): string {
    return `catalog:{${this.config.redis.prefix}:g${gen}}:${name}`;
  }

  /** The same key as Redis sees it (for names built inside scripts). */
  private fullPrefix(gen: number): string {
    return `${this.config.redis.prefix}:${this.key(gen, '')}`;
  }

  async meta(): Promise<CatalogMeta> {
    const raw = await this.client.hgetall('catalog:meta');
    const num = (value: string | undefined) => (value === undefined ? undefined : Number(value));
    return {
      current: num(raw.current),
      currentVersion: num(raw.currentVersion),
      building: num(raw.building),
      buildingVersion: num(raw.buildingVersion),
      buildStartedAt: num(raw.buildStartedAt),
    };
  }

  /** A fresh, empty generation marked as being built. */
  async startGeneration(version: number): Promise<number> {
    const gen = await this.client.incr('catalog:generation');
    await this.client.set(this.key(gen, 'live'), '1');
    await this.client.hset('catalog:meta', {
      building: gen,
      buildingVersion: version,
      buildStartedAt: Date.now(),
    });
    return gen;
  }

  /** Makes a built generation the one that answers. */
  async promote(gen: number, version: number): Promise<void> {
    await this.client
      .multi()
      .hset('catalog:meta', { current: gen, currentVersion: version })
      .hdel('catalog:meta', 'building', 'buildingVersion', 'buildStartedAt')
      .exec();
  }

  /** A failed build leaves the current generation answering. */
  async abandonBuild(gen: number): Promise<void> {
    await this.client.hdel('catalog:meta', 'building', 'buildingVersion', 'buildStartedAt');
    await this.retire(gen);
  }

  /** Stops writes to a generation, then deletes its keys. */
  async retire(gen: number): Promise<void> {
    await this.client.del(this.key(gen, 'live'));
    const pattern = this.keyPattern(gen);
    const strip = this.config.redis.prefix.length + 1;
    let cursor = '0';
    do {
      const [next, keys] = await this.client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await this.client.unlink(...keys.map((key) => key.slice(strip)));
    } while (cursor !== '0');
  }

  async upsert(gen: number, id: string, revision: number, entry: CatalogEntry): Promise<number> {
    return this.client.catalogUpsert(
      this.key(gen, 'live'),
      this.fullPrefix(gen),
      id,
      String(revision),
      JSON.stringify(entry),
    );
  }

  /** Many upserts in one round trip (the rebuild). */
  async upsertMany(
    gen: number,
    entries: { id: string; revision: number; entry: CatalogEntry }[],
  ): Promise<void> {
    if (entries.length === 0) return;
    const pipeline = this.client.pipeline() as ChainableCommander & PipelineCommands;
    for (const { id, revision, entry } of entries) {
      pipeline.catalogUpsert(
        this.key(gen, 'live'),
        this.fullPrefix(gen),
        id,
        String(revision),
        JSON.stringify(entry),
      );
    }
    for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
  }

  async remove(gen: number, id: string): Promise<number> {
    return this.client.catalogRemove(this.key(gen, 'live'), this.fullPrefix(gen), id);
  }

  /** Ranked cards for the query words. */
  async search(
    gen: number,
    words: string[],
    filter: CatalogFilter,
    offset: number,
    limit: number,
  ): Promise<IndexPage> {
    const filters = [...this.filterKeys(gen, filter), ...(await this.scopeKeys(gen, filter.scope))];
    const reply = await this.client.catalogSearch(
      this.key(gen, 'live'),
      this.fullPrefix(gen),
      offset,
      limit,
      MAX_PREFIX_TOKENS,
      this.config.catalog.commonWordTitles,
      filters.length,
      ...filters,
      ...words,
    );
    if (!reply) throw new IndexGoneError(`catalog generation ${gen} is gone`);
    const [total, truncated, ...docs] = reply;
    return { total: Number(total), truncated: Number(truncated) === 1, cards: cardsOf(docs) };
  }

  /** A page of cards in the given order. */
  async list(
    gen: number,
    sort: CatalogSort,
    filter: CatalogFilter,
    offset: number,
    limit: number,
  ): Promise<IndexPage> {
    let filters = [...this.filterKeys(gen, filter), ...(await this.scopeKeys(gen, filter.scope))];
    let order = { key: `${this.fullPrefix(gen)}${ORDER[sort].key}`, desc: ORDER[sort].desc };
    // Each facet set is itself ordered newest first: one filter and that order need no intersection.
    if (sort === 'newest' && filters.length === 1) {
      order = { key: filters[0], desc: true };
      filters = [];
    }
    const reply = await this.client.catalogList(
      this.key(gen, 'live'),
      this.fullPrefix(gen),
      order.key,
      order.desc ? '1' : '0',
      offset,
      limit,
      filters.length,
      ...filters,
      ...(ORDER[sort].ties ? [`${this.fullPrefix(gen)}${ORDER[sort].ties}`] : []),
    );
    if (!reply) throw new IndexGoneError(`catalog generation ${gen} is gone`);
    const [total, ...docs] = reply;
    return { total: Number(total), truncated: false, cards: cardsOf(docs) };
  }

  /** Cards by id in the order given; ids the index does not hold are left out. */
  async cards(gen: number, ids: readonly string[]): Promise<TitleCard[]> {
    const [[, live], [, docs]] = ((await this.client
      .pipeline()
      .exists(this.key(gen, 'live'))
      .hmget(this.key(gen, 'docs'), ...(ids.length > 0 ? ids : ['-']))
      .exec()) ?? []) as [unknown, unknown][];
    if (Number(live) !== 1) throw new IndexGoneError(`catalog generation ${gen} is gone`);
    return ids.length > 0 ? cardsOf(docs as unknown[]) : [];
  }

  async facets(gen: number, kind?: string, tenantScope?: TenantScope) {
    if (tenantScope?.mode === 'filtered') return this.scopedFacets(gen, tenantScope, kind);
    const scope = kind ? `:${kind}` : '';
    const results = await this.client
      .pipeline()
      .zcard(this.key(gen, kind ? `kind:${kind}` : 'all:new'))
      .zrevrange(this.key(gen, 'fc:kind'), 0, -1, 'WITHSCORES')
      .zrevrange(this.key(gen, `fc:genre${scope}`), 0, -1, 'WITHSCORES')
      .zrevrange(this.key(gen, `fc:year${scope}`), 0, -1, 'WITHSCORES')
      .hgetall(this.key(gen, 'genre-names'))
      .exists(this.key(gen, 'live'))
      .exec();
    const values = (results ?? []).map(([error, value]) => {
      if (error) throw error;
      return value;
    });
    const [total, kinds, genres, years, names, live] = values as [
      number,
      string[],
      string[],
      string[],
      Record<string, string>,
      number,
    ];
    if (Number(live) !== 1) throw new IndexGoneError(`catalog generation ${gen} is gone`);
    const kindCounts = pairs(kinds).filter((entry) => !kind || entry.value === kind);
    return {
      total: Number(total),
      kinds: kindCounts,
      genres: pairs(genres).map((entry) => ({ ...entry, value: names[entry.value] ?? entry.value })),
      years: pairs(years).sort((a, b) => Number(b.value) - Number(a.value)),
    };
  }

  /** SCAN pattern matching every key of a generation, as Redis sees them (bench: memory per title). */
  keyPattern(gen: number): string {
    return `${this.fullPrefix(gen).replace(/[*?[\]\\]/g, '\\$&')}*`;
  }

  /** Full key names (as Redis sees them) of the sets a filter restricts to. */
  /** Facet counts within a franchise tenant's scope. */
  private async scopedFacets(gen: number, tenantScope: TenantScope, kind?: string) {
    const [scopeKey] = await this.scopeKeys(gen, tenantScope);
    const [reply, names] = await Promise.all([
      this.client.catalogScopedFacets(this.key(gen, 'live'), this.fullPrefix(gen), scopeKey, kind ?? ''),
      this.client.hgetall(this.key(gen, 'genre-names')),
    ]);
    if (!reply) throw new IndexGoneError(`catalog generation ${gen} is gone`);
    const [total, kinds, genres, years] = reply;
    // Counted within the scope, they come in the whole library's order: sorted again by their own.
    return {
      total: Number(total),
      kinds: pairs(kinds)
        .filter((entry) => !kind || entry.value === kind)
        .sort(largestFirst),
      genres: pairs(genres)
        .map((entry) => ({ ...entry, value: names[entry.value] ?? entry.value }))
        .sort(largestFirst),
      years: pairs(years).sort((a, b) => Number(b.value) - Number(a.value)),
    };
  }

  /** Whether a title is in a (filtered) scope. */
  async inScope(gen: number, scope: TenantScope, titleId: string): Promise<boolean> {
    const [key] = await this.scopeKeys(gen, scope);
    return (await this.client.zscore(key.slice(this.config.redis.prefix.length + 1), titleId)) !== null;
  }

  /**
   * The scope's sorted set (as Redis names it), built from the facet sets when missing or older than
   * SCOPE_TTL_SECONDS (and kept in step with writes meanwhile); none for the whole library.
   */
  private async scopeKeys(gen: number, scope: TenantScope | undefined): Promise<string[]> {
    if (!scope || scope.mode !== 'filtered') return [];
    const digest = createHash('sha1').update(JSON.stringify(scope)).digest('base64url').slice(0, 16);
    const name = `scope:${digest}`;
    if ((await this.client.exists(this.key(gen, `${name}:ok`))) === 0) {
      const sets = scopeFacets(scope);
      const built = await this.client.catalogScope(
        this.key(gen, 'live'),
        this.fullPrefix(gen),
        name,
        SCOPE_TTL_SECONDS,
        sets.length,
        ...sets,
        ...scope.collections,
      );
      if (built === -1) throw new IndexGoneError(`catalog generation ${gen} is gone`);
    }
    return [`${this.fullPrefix(gen)}${name}`];
  }

  private filterKeys(gen: number, filter: CatalogFilter): string[] {
    const prefix = this.fullPrefix(gen);
    const keys: string[] = [];
    if (filter.kind) keys.push(`${prefix}kind:${filter.kind}`);
    if (filter.genre) keys.push(`${prefix}genre:${genreKey(filter.genre)}`);
    if (filter.year !== undefined) keys.push(`${prefix}year:${filter.year}`);
    return keys;
  }
}

function pairs(flat: string[]): FacetCount[] {
  const out: FacetCount[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push({ value: flat[i], count: Number(flat[i + 1]) });
  return out;
}
