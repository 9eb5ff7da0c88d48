import { type TitleKind } from '../release-name/parsed-release.js';
import { type TitleFields } from '../library.service.js';

export interface MetadataQuery {
  kind: TitleKind;
  name: string;
  year?: number;
}

/** A catalogue (TMDB, Jikan) that can describe a title from its name, kind and year. */
export interface MetadataProvider {
  readonly name: string;
  /** Whether it knows this kind and is configured (TMDB needs a key). */
  serves(kind: TitleKind): boolean;
  /** The best match's fields, or `undefined` when the catalogue has no such title. */
  lookup(query: MetadataQuery): Promise<TitleFields | undefined>;
}

/** The catalogue could not be asked (network down, rate limited, 5xx): try again later. */
export class MetadataUnavailableError extends Error {
  override name = 'MetadataUnavailableError';
}

export const METADATA_PROVIDERS = Symbol('METADATA_PROVIDERS');
