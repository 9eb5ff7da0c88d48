import { type TitleKind } from '../../library/release-name/parsed-release.js';
import { type StremioType } from './stremio-protocol.js';

export type CatalogName = 'movies' | 'series' | 'anime';

export interface AddonCatalog {
  /** How the configure page and the install URL name it. */
  name: CatalogName;
  /** The catalog id in the manifest and in catalog requests. */
  id: string;
  type: StremioType;
  kind: TitleKind;
  label: string;
}

/** Newest first, each with `search`, `genre` and `skip`; anime is a series catalog of its own. */
export const ADDON_CATALOGS: readonly AddonCatalog[] = [
  { name: 'movies', id: 'sv-movies', type: 'movie', kind: 'movie', label: 'Movies' },
  { name: 'series', id: 'sv-series', type: 'series', kind: 'series', label: 'Series' },
  { name: 'anime', id: 'sv-anime', type: 'series', kind: 'anime', label: 'Anime' },
];

/** Stremio pages catalogs by 100: a shorter page tells it there is no next one. */
export const CATALOG_PAGE_SIZE = 100;

/** The Stremio type a title of `kind` is shown as; manga is not a video (undefined). */
export function stremioTypeOf(kind: TitleKind): StremioType | undefined {
  if (kind === 'movie') return 'movie';
  if (kind === 'series' || kind === 'anime') return 'series';
  return undefined;
}
