import { searchTokens } from '../search/search-tokens.js';
import { type CatalogFilter, type ListQuery, type SearchQuery } from './catalog-query.js';
import { CatalogIndexRepository, type IndexPage } from './catalog-index.repository.js';

import { type TitleCard } from './title-card.js';

const MAX_QUERY_TOKENS = 8;

/** Answers catalog questions from one generation of the Redis index. */
export class CatalogIndexReader {
  constructor(
    private readonly index: CatalogIndexRepository,
    private readonly gen: number,
  ) {}

  async search(query: SearchQuery) {
    const words = searchTokens(query.q).slice(0, MAX_QUERY_TOKENS);
    if (words.length === 0) return { items: [], total: 0, truncated: false };
    return page(await this.index.search(this.gen, words, query, query.offset, query.limit));
  }

  async list(query: ListQuery) {
    return page(await this.index.list(this.gen, query.sort, query, query.offset, query.limit));
  }

  async facets(filter: Pick<CatalogFilter, 'kind' | 'scope'>) {
    return this.index.facets(this.gen, filter.kind, filter.scope);
  }

  cards(ids: readonly string[]): Promise<TitleCard[]> {
    return this.index.cards(this.gen, ids);
  }
}

function page(found: IndexPage) {
  return { items: found.cards, total: found.total, truncated: found.truncated };
}
