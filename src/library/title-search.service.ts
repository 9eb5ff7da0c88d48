import { Injectable } from '@nestjs/common';
import { type Types } from 'mongoose';
import { type TitleKind } from './release-name/parsed-release.js';
import { escapeRegex, searchTokens } from './search/search-tokens.js';
import { type Title } from './schemas/title.schema.js';
import { type TitleCandidate, type TitleFilter, TitleRepository } from './title.repository.js';

export interface TitleQuery {
  q?: string;
  kind?: TitleKind;
  year?: number;
  genre?: string;
  page: number;
  pageSize: number;
}

export interface TitlePage {
  items: Title[];
  page: number;
  pageSize: number;
  total: number;
  /** True when a broad query matched more titles than are ranked; the newest are ranked. */
  truncated: boolean;
}

/** At most this many matching titles (the newest) are ranked for one query. */
export const RANKED_CANDIDATES = 5000;
const MAX_QUERY_TOKENS = 8;

/**
 * Title search without text indexes (FerretDB and MongoDB alike): query tokens match stored tokens by
 * prefix; results rank by how many query tokens matched, then how many matched a whole word, then
 * recency.
 */
@Injectable()
export class TitleSearchService {
  constructor(private readonly titles: TitleRepository) {}

  async search(query: TitleQuery): Promise<TitlePage> {
    const filter: TitleFilter = {};
    if (query.kind) filter.kind = query.kind;
    if (query.year !== undefined) filter.year = query.year;
    if (query.genre) filter.genres = query.genre;
    const skip = (query.page - 1) * query.pageSize;
    const tokens = searchTokens(query.q).slice(0, MAX_QUERY_TOKENS);

    if (tokens.length === 0 && query.q?.trim()) {
      // Only punctuation: nothing can match a word.
      return { items: [], page: query.page, pageSize: query.pageSize, total: 0, truncated: false };
    }
    if (tokens.length === 0) {
      const [items, total] = await Promise.all([
        this.titles.page(filter, skip, query.pageSize),
        this.titles.count(filter),
      ]);
      return { items, page: query.page, pageSize: query.pageSize, total, truncated: false };
    }

    filter.searchTokens = { $in: tokens.map((token) => new RegExp(`^${escapeRegex(token)}`)) };
    const candidates = await this.titles.candidates(filter, RANKED_CANDIDATES + 1);
    const truncated = candidates.length > RANKED_CANDIDATES;
    const ranked = rankCandidates(candidates.slice(0, RANKED_CANDIDATES), tokens);
    const pageIds = ranked.slice(skip, skip + query.pageSize);
    const byId = new Map((await this.titles.findByIds(pageIds)).map((title) => [String(title._id), title]));
    const items = pageIds.flatMap((id) => byId.get(String(id)) ?? []);
    return { items, page: query.page, pageSize: query.pageSize, total: ranked.length, truncated };
  }
}

/** Orders candidate ids best first. Pure, so the ranking rules are unit-tested directly. */
export function rankCandidates(candidates: TitleCandidate[], queryTokens: string[]): Types.ObjectId[] {
  const scored = candidates.map((candidate) => {
    let matched = 0;
    let exact = 0;
    for (const token of queryTokens) {
      if (candidate.searchTokens.includes(token)) {
        matched++;
        exact++;
      } else if (candidate.searchTokens.some((stored) => stored.startsWith(token))) {
        matched++;
      }
    }
    return { id: candidate._id, matched, exact, updated: new Date(candidate.updatedAt).getTime() };
  });
  scored.sort(
    (a, b) =>
      b.matched - a.matched ||
      b.exact - a.exact ||
      b.updated - a.updated ||
      String(b.id).localeCompare(String(a.id)),
  );
  return scored.filter((s) => s.matched > 0).map((s) => s.id);
}
