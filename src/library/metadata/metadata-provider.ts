import { type TitleKind } from '../release-name/parsed-release.js';
import { type TitleFields } from '../library.service.js';
import { type EpisodeStill, type ExternalIds } from '../schemas/title.schema.js';

/** Where the catalogue keeps one episode's still (a URL the artwork job fetches once). */
export type EpisodeStillSource = Omit<EpisodeStill, 'artwork'>;

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
  /** Series: the stills of the given seasons' episodes, for a title this catalogue matched (optional). */
  episodeStills?(ids: ExternalIds, seasons: readonly number[]): Promise<EpisodeStillSource[]>;
}

/** The catalogue could not be asked (network down, rate limited, 5xx): try again later. */
export class MetadataUnavailableError extends Error {
  override name = 'MetadataUnavailableError';
}

export const METADATA_PROVIDERS = Symbol('METADATA_PROVIDERS');
