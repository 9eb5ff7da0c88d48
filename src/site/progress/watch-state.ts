/** A file counts as watched once this share of it has been played. */
export const WATCHED_RATIO = 0.9;
/** Continue-watching entries kept per identity (one per title). */
export const CONTINUE_LIMIT = 30;

export interface ContinueEntry {
  fileId: string;
  titleId?: string;
  season?: number;
  episode?: number;
  /** A chapter being read (ReadVault): `position` is its page and `duration` its page count. */
  chapterId?: string;
  /** How the chapter is named in the row ("Vol. 1 · Ch. 2"). */
  chapterLabel?: string;
  position: number;
  duration: number;
  updatedAt: Date;
}

export function isWatched(position: number, duration: number): boolean {
  return duration > 0 && position >= duration * WATCHED_RATIO;
}

/**
 * The continue-watching list after `entry` was played: one entry per title (the file played last),
 * newest first, finished files dropped, at most `CONTINUE_LIMIT` long.
 */
export function nextContinueList(
  list: readonly ContinueEntry[],
  entry: ContinueEntry,
  finished: boolean,
): ContinueEntry[] {
  const sameItem = (other: ContinueEntry) =>
    other.fileId === entry.fileId || (entry.titleId !== undefined && other.titleId === entry.titleId);
  const rest = list.filter((other) => !sameItem(other));
  return (finished ? rest : [entry, ...rest])
    .sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime())
    .slice(0, CONTINUE_LIMIT);
}

/** Two continue lists as one (a guest's joining an account's at sign-in): newest per title wins. */
export function mergeContinueLists(
  ours: readonly ContinueEntry[],
  theirs: readonly ContinueEntry[],
): ContinueEntry[] {
  let merged = [...ours];
  for (const entry of [...theirs].sort((a, b) => a.updatedAt.getTime() - b.updatedAt.getTime())) {
    const existing = merged.find(
      (other) => other.fileId === entry.fileId || (entry.titleId && other.titleId === entry.titleId),
    );
    if (existing && existing.updatedAt >= entry.updatedAt) continue;
    merged = nextContinueList(merged, entry, false);
  }
  return merged;
}
