/**
 * Stremio ids. Our titles are `sv:<title id>`, an episode `sv:<title id>:<season>:<episode>` (Stremio's
 * own `<meta id>:<season>:<episode>` convention); `tt…` ids (IMDb, Cinemeta's catalogue) are answered
 * for streams and subtitles when enrichment filed a title under that IMDb id.
 */
export const OUR_PREFIX = 'sv:';
export const IMDB_PREFIX = 'tt';

export type VideoRef =
  | { source: 'ours'; titleId: string; season?: number; episode?: number }
  | { source: 'imdb'; imdbId: string; season?: number; episode?: number };

const OURS = /^sv:([0-9a-f]{24})(?::(\d{1,4}):(\d{1,5}))?$/;
const IMDB = /^(tt\d{5,10})(?::(\d{1,4}):(\d{1,5}))?$/;

/** A video or title id Stremio sent, or undefined when it is not one of ours (→ 404). */
export function parseVideoId(id: string): VideoRef | undefined {
  const ours = OURS.exec(id);
  if (ours) return { source: 'ours', titleId: ours[1], ...episodeOf(ours[2], ours[3]) };
  const imdb = IMDB.exec(id);
  if (imdb) return { source: 'imdb', imdbId: imdb[1], ...episodeOf(imdb[2], imdb[3]) };
  return undefined;
}

function episodeOf(season: string | undefined, episode: string | undefined) {
  return season === undefined ? {} : { season: Number(season), episode: Number(episode) };
}

export function titleMetaId(titleId: string): string {
  return `${OUR_PREFIX}${titleId}`;
}

export function episodeVideoId(titleId: string, season: number, episode: number): string {
  return `${OUR_PREFIX}${titleId}:${season}:${episode}`;
}
