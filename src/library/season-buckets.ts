import { type Types } from 'mongoose';
import { type SeasonBucket } from './schemas/title.schema.js';

/**
 * Pure edits of the season → episode → files tree. Each returns a new tree (the input is never
 * mutated) kept sorted by season and episode number, so a retry after a lost race starts clean.
 */
export function withFile(
  seasons: SeasonBucket[],
  season: number,
  episodes: number[],
  fileId: Types.ObjectId,
) {
  const next = clone(seasons);
  let bucket = next.find((s) => s.number === season);
  if (!bucket) {
    bucket = { number: season, episodes: [] };
    next.push(bucket);
  }
  for (const number of episodes) {
    let episode = bucket.episodes.find((e) => e.number === number);
    if (!episode) {
      episode = { number, fileIds: [] };
      bucket.episodes.push(episode);
    }
    if (!episode.fileIds.some((id) => id.equals(fileId))) episode.fileIds.push(fileId);
  }
  return sorted(next);
}

/** Removes a file everywhere; episodes and seasons left empty disappear. */
export function withoutFile(seasons: SeasonBucket[], fileId: Types.ObjectId): SeasonBucket[] {
  return prune(
    clone(seasons).map((season) => ({
      ...season,
      episodes: season.episodes.map((e) => ({ ...e, fileIds: e.fileIds.filter((id) => !id.equals(fileId)) })),
    })),
  );
}

/** Removes one episode (whatever files it holds); a season left empty disappears. */
export function withoutEpisode(seasons: SeasonBucket[], season: number, episode: number): SeasonBucket[] {
  return prune(
    clone(seasons).map((s) =>
      s.number === season ? { ...s, episodes: s.episodes.filter((e) => e.number !== episode) } : s,
    ),
  );
}

export function filesOfEpisode(seasons: SeasonBucket[], season: number, episode: number): Types.ObjectId[] {
  return seasons.find((s) => s.number === season)?.episodes.find((e) => e.number === episode)?.fileIds ?? [];
}

export function allFiles(seasons: SeasonBucket[]): Types.ObjectId[] {
  return seasons.flatMap((s) => s.episodes.flatMap((e) => e.fileIds));
}

function prune(seasons: SeasonBucket[]): SeasonBucket[] {
  return seasons
    .map((s) => ({ ...s, episodes: s.episodes.filter((e) => e.fileIds.length > 0) }))
    .filter((s) => s.episodes.length > 0);
}

function clone(seasons: SeasonBucket[]): SeasonBucket[] {
  return seasons.map((s) => ({
    number: s.number,
    episodes: s.episodes.map((e) => ({
      number: e.number,
      ...(e.name ? { name: e.name } : {}),
      fileIds: [...e.fileIds],
    })),
  }));
}

function sorted(seasons: SeasonBucket[]): SeasonBucket[] {
  for (const season of seasons) season.episodes.sort((a, b) => a.number - b.number);
  return seasons.sort((a, b) => a.number - b.number);
}
