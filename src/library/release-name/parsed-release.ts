export type TitleKind = 'movie' | 'series' | 'anime' | 'manga';

/** What a release/file name says about the work it contains. */
export interface ParsedRelease {
  title: string;
  year?: number;
  kind: TitleKind;
  /** Season number; 0 for specials; absent for absolute-numbered anime and movies. */
  season?: number;
  /** Episode numbers, several for multi-episode files; empty for movies. */
  episodes: number[];
  episodeTitle?: string;
  resolution?: string;
  source?: string;
  codec?: string;
  group?: string;
}
