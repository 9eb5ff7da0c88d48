import { normalizeText } from './search/search-tokens.js';
import { type TitleKind } from './release-name/parsed-release.js';
import { type ExternalIds } from './schemas/title.schema.js';

/** Movies and shows live in different id spaces (TMDB numbers movies and TV separately). */
function family(kind: TitleKind): 'movie' | 'show' {
  return kind === 'movie' ? 'movie' : 'show';
}

export function nameKey(kind: TitleKind, name: string, year?: number): string {
  return `name:${family(kind)}:${normalizeText(name)}:${year ?? ''}`;
}

export function externalKeys(kind: TitleKind, ids: ExternalIds = {}): string[] {
  const keys: string[] = [];
  if (ids.tmdb !== undefined) keys.push(`tmdb:${family(kind)}:${ids.tmdb}`);
  if (ids.mal !== undefined) keys.push(`mal:${ids.mal}`);
  if (ids.imdb) keys.push(`imdb:${ids.imdb.toLowerCase()}`);
  return keys;
}
