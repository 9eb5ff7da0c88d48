/**
 * The Stremio add-on protocol (v3) shapes this add-on answers with, as documented in
 * stremio-addon-sdk's docs/api (manifest, meta preview, meta, video, stream, subtitles).
 */
export type StremioType = 'movie' | 'series';
export const STREMIO_TYPES: readonly StremioType[] = ['movie', 'series'];

export interface StremioExtra {
  name: string;
  isRequired?: boolean;
  options?: string[];
  optionsLimit?: number;
}

export interface StremioCatalog {
  type: StremioType;
  id: string;
  name: string;
  extra: StremioExtra[];
}

export interface StremioResource {
  name: 'catalog' | 'meta' | 'stream' | 'subtitles';
  types: StremioType[];
  idPrefixes?: string[];
}

export interface StremioManifest {
  id: string;
  version: string;
  name: string;
  description: string;
  logo?: string;
  resources: StremioResource[];
  types: StremioType[];
  idPrefixes: string[];
  catalogs: StremioCatalog[];
  behaviorHints: { configurable: boolean; configurationRequired: boolean };
}

export interface StremioMetaPreview {
  id: string;
  type: StremioType;
  name: string;
  poster?: string;
  posterShape: 'poster';
  genres?: string[];
  releaseInfo?: string;
}

export interface StremioVideo {
  id: string;
  title: string;
  /** ISO 8601. */
  released: string;
  season?: number;
  episode?: number;
  thumbnail?: string;
}

export interface StremioMeta extends StremioMetaPreview {
  background?: string;
  description?: string;
  runtime?: string;
  imdb_id?: string;
  videos?: StremioVideo[];
  behaviorHints?: { defaultVideoId?: string };
}

export interface StremioSubtitle {
  id: string;
  url: string;
  /** ISO 639-2 (three letters). */
  lang: string;
}

export interface StremioStream {
  url: string;
  name: string;
  title: string;
  description: string;
  subtitles?: StremioSubtitle[];
  behaviorHints: {
    bingeGroup: string;
    notWebReady?: true;
    filename: string;
    videoSize: number;
  };
}
