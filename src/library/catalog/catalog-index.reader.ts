import { searchTokens } from '../search/search-tokens.js';
import { type CatalogFilter, type ListQuery, type SearchQuery } from './catalog-query.js';
import { CatalogIndexRepository, type IndexPage } from './catalog-index.repository.js';
import { type TitleCard } from './title-card.js';

const MAX_QUERY_TOKENS = 8;

/** The generation was retired or flushed while it was being read. */
export class IndexGoneError extends Error {
  override name = 'IndexGoneError';
}

/** Answers catalog questions from one generation of the Redis index. */
export class CatalogIndexReader {
  constructor(
    private readonly index: CatalogIndexRepository,
    private readonly gen: number,
  ) {}

  async search(query: SearchQuery) {
    const words = searchTokens(query.q).slice(0, MAX_QUERY_TOKENS);
    if (words.length === 0) return { items: [], total: 0, truncated: false };
    const page = await this.index.search(this.gen, words, query, query.offset, query.limit);
    return this.withCards(page);
  }

  async list(query: ListQuery) {
    const page = await this.index.list(this.gen, query.sort, query, query.offset, query.limit);
    return this.withCards(page);
  }

  async facets(filter: Pick<CatalogFilter, 'kind'>) {
    return this.index.facets(this.gen, filter.kind);
  }

  cards(ids: readonly string[]): Promise<TitleCard[]> {
    return this.index.cards(this.gen, ids);
  }

  private async withCards(page: IndexPage | null) {
    if (!page) throw new IndexGoneError(`catalog generation ${this.gen} is gone`);
    return { items: await this.cards(page.ids), total: page.total, truncated: page.truncated };
  }
}
