import { type Types } from 'mongoose';
import { type SeasonBucket } from '../../../library/schemas/title.schema.js';

export interface EpisodePlace {
  season: number;
  episode: number;
  fileId: Types.ObjectId;
}

/** The episodes of a series in watching order (season, then episode), each with its first file. */
function episodesInOrder(seasons: readonly SeasonBucket[]): EpisodePlace[] {
  return [...seasons]
    .sort((a, b) => a.number - b.number)
    .flatMap((season) =>
      [...season.episodes]
        .sort((a, b) => a.number - b.number)
        .filter((episode) => episode.fileIds.length > 0)
        .map((episode) => ({ season: season.number, episode: episode.number, fileId: episode.fileIds[0] })),
    );
}

/**
 * Where `fileId` sits in the series and which episode comes after it (the next one of the season, else
 * the first of the next season). Specials (season 0) come first, as they are sorted; a special being
 * played leads to season 1.
 */
export function placeAndNext(
  seasons: readonly SeasonBucket[],
  fileId: Types.ObjectId,
): { current?: EpisodePlace; next?: EpisodePlace } {
  const order = episodesInOrder(seasons);
  const index = order.findIndex((place) =>
    seasons
      .find((s) => s.number === place.season)
      ?.episodes.find((e) => e.number === place.episode)
      ?.fileIds.some((id) => id.equals(fileId)),
  );
  if (index < 0) return {};
  return { current: order[index], next: order[index + 1] };
}
