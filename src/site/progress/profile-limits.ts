import { progressItemKey } from './schemas/file-progress.schema.js';
import { type ViewerProfile } from './schemas/viewer-profile.schema.js';

/**
 * Files (and chapters) one identity keeps progress for: the most recently played. Years of nightly
 * viewing stay well below it, and it bounds a profile (one document, rewritten on every save, a few
 * dozen bytes an entry) far below MongoDB's 16 MB.
 */
export const PROFILE_FILES_KEPT = 2000;

/** Titles one identity keeps track choices and watched marks for: the most recently played. */
export const PROFILE_TITLES_KEPT = 2000;

/**
 * Progress records one write removes at most. A profile grown past the cap before there was one
 * (thousands over) shrinks over its next few saves rather than in one that outlives its lock; in use,
 * a save adds one file and drops one.
 */
export const PRUNE_STEP = 200;

/** `key` was just played: it moves to the end of the profile's files, which are kept oldest first. */
export function touchFile(profile: ViewerProfile, key: string): void {
  profile.files = [...profile.files.filter((other) => other !== key), key];
}

/**
 * Trims the profile to its caps, in place: the oldest files beyond `PROFILE_FILES_KEPT` (at most
 * `PRUNE_STEP` of them), with their watched marks and continue entries, and the titles played least
 * recently beyond `PROFILE_TITLES_KEPT`. Returns the files dropped: their progress records must go.
 */
export function pruneProfile(profile: ViewerProfile): string[] {
  const over = Math.min(profile.files.length - PROFILE_FILES_KEPT, PRUNE_STEP);
  const dropped = over > 0 ? profile.files.slice(0, over) : [];
  if (dropped.length > 0) {
    const gone = new Set(dropped);
    profile.files = profile.files.slice(dropped.length);
    // A watched mark names a file with progress: it goes with it, so marks stay within the cap too.
    for (const title of profile.titles) title.watched = title.watched.filter((id) => !gone.has(id));
    profile.continue = profile.continue.filter((entry) => !gone.has(progressItemKey(entry)));
  }
  if (profile.titles.length > PROFILE_TITLES_KEPT) {
    const kept = new Set(
      [...profile.titles]
        .sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime())
        .slice(0, PROFILE_TITLES_KEPT),
    );
    profile.titles = profile.titles.filter((title) => kept.has(title));
  }
  return dropped;
}
