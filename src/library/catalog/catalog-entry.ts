import { normalizeText, titleTokens } from '../search/search-tokens.js';
import { type Title } from '../schemas/title.schema.js';
import { genreKey } from './catalog-query.js';
import { type CardSource, toTitleCard, type TitleCard } from './title-card.js';

/**
 * Bumped whenever what the index stores or how it tokenizes changes: an index built by another
 * version is rebuilt on first use.
 */
export const CATALOG_INDEX_VERSION = 3;

/** The fields of a title the index is built from (the rebuild reads only these). */
export const ENTRY_FIELDS = {
  kind: 1,
  name: 1,
  originalName: 1,
  aliases: 1,
  year: 1,
  genres: 1,
  poster: 1,
  backdrop: 1,
  artwork: 1,
  searchTokens: 1,
  seasons: 1,
  fileIds: 1,
  updatedAt: 1,
  revision: 1,
} as const;

export type EntrySource = CardSource & Pick<Title, 'aliases' | 'searchTokens' | 'revision'>;

/**
 * One title as the index stores it: its card, and what it is filed under (kept so that an update
 * or delete can take the title out of exactly the sets it was in). Scores are strings: Redis Lua
 * would print numbers with 14 digits and lose the low ones.
 */
export interface CatalogEntry {
  /** The card shown in lists. */
  c: TitleCard;
  /** Search tokens (name, original name, aliases, year), folded. */
  t: string[];
  k: string;
  /** Genre keys and, in the same order, their display names. */
  g: string[];
  gn: string[];
  /** Year, '' when unknown. */
  y: string;
  /** Newest-first score: updatedAt in ms. */
  n: string;
  /** Name-order score (see nameScore). */
  s: string;
  /** The folded name: breaks ties of the name-order score. */
  f: string;
  /** Year-order score: year, then updatedAt in seconds. */
  ys: string;
}

export function catalogEntry(title: EntrySource): CatalogEntry {
  const card = toTitleCard(title);
  const genres = new Map<string, string>();
  for (const genre of title.genres ?? []) if (genre.trim()) genres.set(genreKey(genre), genre.trim());
  const updated = new Date(title.updatedAt).getTime();
  const tokens = title.searchTokens?.length ? title.searchTokens : titleTokens(title);
  return {
    c: card,
    t: [...new Set(tokens)].filter((token) => token.length > 0 && token.length <= 100),
    k: title.kind,
    g: [...genres.keys()],
    gn: [...genres.values()],
    y: title.year ? String(title.year) : '',
    n: String(updated),
    s: String(nameScore(title.name)),
    f: normalizeText(title.name),
    ys: String((title.year ?? 0) * 1e10 + Math.floor(updated / 1000)),
  };
}

const NAME_ALPHABET = ' 0123456789abcdefghijklmnopqrstuvwxyz';
/** 0 ends the name, 1… the alphabet in order, the last digit anything else. */
const NAME_BASE = NAME_ALPHABET.length + 2;
const NAME_DIGITS = 10;

/**
 * Orders names A→Z by their first ten folded characters in one number (39^10 < 2^53, so exact in
 * a double): letters and digits in order, anything else (other scripts) after "z". Names equal in
 * those ten tie; the index breaks ties by the whole folded name (the entry's `f`, compared as
 * UTF-8 bytes, which order space, digits, letters, then other scripts as the digits do) when it
 * reads a page. What this leaves: names in other scripts are ordered among themselves by those
 * bytes only where their first ten characters fall in the same classes.
 */
export function nameScore(name: string): number {
  const folded = normalizeText(name);
  let score = 0;
  for (let i = 0; i < NAME_DIGITS; i++) {
    const char = folded[i];
    const digit = char === undefined ? 0 : NAME_ALPHABET.indexOf(char) + 1 || NAME_BASE - 1;
    score = score * NAME_BASE + digit;
  }
  return score;
}
