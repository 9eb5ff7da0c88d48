import { type TitleKind } from '../release-name/parsed-release.js';
import { type Title } from '../schemas/title.schema.js';

/**
 * What a list, a search hit or a home-page row needs of a title: enough to draw a card and link to
 * the title page, nothing that grows with the title (files, episodes and mismatches stay on the title).
 */
export interface TitleCard {
  id: string;
  kind: TitleKind;
  name: string;
  originalName: string | null;
  year: number | null;
  genres: string[];
  /** The poster's reference as stored on the title (artwork id or URL); null without one. */
  poster: string | null;
  backdrop: string | null;
  /** The local copy of the poster (an artwork id, see library/artwork): what pages show. */
  posterArtwork: string | null;
  seasons: number;
  episodes: number;
  /** Movies: the film's files; series: one per filed episode file. */
  files: number;
  updatedAt: string;
}

export type CardSource = Pick<
  Title,
  '_id' | 'kind' | 'name' | 'originalName' | 'year' | 'genres' | 'poster' | 'backdrop' | 'updatedAt'
> &
  Partial<Pick<Title, 'seasons' | 'fileIds' | 'artwork'>>;

export function toTitleCard(title: CardSource): TitleCard {
  const seasons = title.seasons ?? [];
  const episodes = seasons.reduce((sum, season) => sum + season.episodes.length, 0);
  const episodeFiles = seasons.reduce(
    (sum, season) => sum + season.episodes.reduce((n, episode) => n + episode.fileIds.length, 0),
    0,
  );
  return {
    id: String(title._id),
    kind: title.kind,
    name: title.name,
    originalName: title.originalName ?? null,
    year: title.year ?? null,
    genres: title.genres ?? [],
    poster: title.poster ?? null,
    backdrop: title.backdrop ?? null,
    posterArtwork: title.artwork?.poster ?? null,
    seasons: seasons.length,
    episodes,
    files: (title.fileIds?.length ?? 0) + episodeFiles,
    updatedAt: new Date(title.updatedAt).toISOString(),
  };
}
