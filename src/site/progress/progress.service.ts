import { Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import { AppError } from '../../core/errors/app-error.js';
import { type Identity } from '../../core/identity/identity.js';
import { RedisMutex } from '../../core/redis/redis-mutex.js';
import { TenantContext } from '../../core/tenancy/tenant-context.js';
import { scopeRule, titleSubject } from '../../library/catalog/scope-rule.js';
import { LibraryService } from '../../library/library.service.js';
import { type MediaFile } from '../../library/schemas/media-file.schema.js';
import { type Title } from '../../library/schemas/title.schema.js';
import { artworkSrc } from '../pages/artwork.js';
import { pruneProfile, touchFile } from './profile-limits.js';
import { ProgressRepository } from './progress.repository.js';
import { chapterProgressKey } from './schemas/file-progress.schema.js';
import { type TitleChoice, type ViewerProfile } from './schemas/viewer-profile.schema.js';
import { type ContinueEntry, isWatched, mergeContinueLists, nextContinueList } from './watch-state.js';

/**
 * How long after a guest signs in a save it sent before still lands in the account (one in flight, the
 * player's save on leaving). Later, a kept copy of the guest cookie is no key to the account's progress.
 */
export const ADOPTED_GUEST_GRACE_MS = 5 * 60 * 1000;

export interface ProgressInput {
  position: number;
  duration: number;
  audioTrack?: string;
  subtitleTrack?: string;
}

export interface FileProgressView {
  fileId: string;
  titleId: string | null;
  position: number;
  duration: number;
  /** At or past the watched mark (90 %) on the last save: the player starts from the beginning. */
  finished: boolean;
  updatedAt: Date | null;
}

export interface ContinueItem extends FileProgressView {
  season: number | null;
  episode: number | null;
  /** A chapter being read: `position` is its page, `duration` its page count. */
  chapterId: string | null;
  chapterLabel: string | null;
  title: { id: string; kind: string; name: string; year: number | null; poster: string | null } | null;
  /** The episode's still (the local copy of the catalogue's), when there is one. */
  still: string | null;
}

export interface TitleProgressView {
  titleId: string;
  audioTrack: string | null;
  subtitleTrack: string | null;
  watchedFileIds: string[];
  /** Series: each episode with `watched` when any of its files was watched to the mark. */
  episodes: { season: number; episode: number; fileIds: string[]; watched: boolean }[];
  /** Where the identity is in each file of the title it started. */
  files: { fileId: string; position: number; duration: number; finished: boolean }[];
}

/** A chapter as reading progress names it (ReadVault knows chapters; this module only keeps places). */
export interface ReadingChapter {
  chapterId: string;
  /** The chapter's CBZ. */
  fileId: string;
  titleId: string;
  pageCount: number;
  /** "Vol. 1 · Ch. 2", shown in the continue row. */
  label: string;
}

export interface ReadingInput {
  chapter: ReadingChapter;
  /** The page shown, from 1. */
  page: number;
  /** The chapter after it: a finished chapter hands the continue row on to it. */
  next?: ReadingChapter;
  /** Keep a saved page at or past this one (and a finished chapter) as it is: only moves forward. */
  forwardOnly?: boolean;
}

export interface ReadingProgressView {
  chapterId: string;
  page: number;
  pageCount: number;
  /** The last page was reached. */
  finished: boolean;
  updatedAt: Date | null;
}

/**
 * Resume positions, continue watching, watched marks and track choices, per identity (a guest's
 * cookie identity or an account). One identity's profile changes one at a time (a Redis lock):
 * FerretDB has no atomic read-modify-write of a document.
 */
@Injectable()
export class ProgressService {
  constructor(
    private readonly progress: ProgressRepository,
    private readonly library: LibraryService,
    private readonly mutex: RedisMutex,
  ) {}

  async save(identity: Identity, fileId: Types.ObjectId, input: ProgressInput): Promise<FileProgressView> {
    const file = await this.library.requireFile(fileId);
    const duration = lengthOf(file, input);
    const position = Math.min(input.position, duration);
    const finished = isWatched(position, duration);
    const titleId = file.titleId ? String(file.titleId) : undefined;
    // Both stores are written under the identity's lock, stamped inside it: of two saves at once (two
    // tabs, a pause then a leave) the later one is the newest in both, never one in each.
    const saved = await this.editProfile(identity.id, identity.kind === 'guest', async (profile, now) => {
      const saved = {
        // The profile's: an account's, when the guest signed in while this save waited for the lock.
        identityId: profile._id,
        fileId: String(fileId),
        titleId,
        position,
        duration,
        finished,
        updatedAt: now,
      };
      await this.progress.saveFile(saved);
      profile.continue = nextContinueList(profile.continue, continueEntry(file, saved), finished);
      touchFile(profile, saved.fileId);
      if (titleId) {
        const choice = titleChoice(profile, titleId, now);
        if (input.audioTrack !== undefined) choice.audioTrack = input.audioTrack;
        if (input.subtitleTrack !== undefined) choice.subtitleTrack = input.subtitleTrack;
        if (finished && !choice.watched.includes(saved.fileId)) choice.watched.push(saved.fileId);
      }
      return saved;
    });
    return view(saved);
  }

  /**
   * Where the identity is in a chapter. A finished chapter leaves the continue row to the next one (at
   * its first page), or leaves it when it was the last; one entry per series, like a title's episodes.
   */
  async saveReading(identity: Identity, input: ReadingInput): Promise<ReadingProgressView> {
    const { chapter, next } = input;
    const page = Math.min(Math.max(1, input.page), chapter.pageCount);
    const finished = page >= chapter.pageCount;
    const key = chapterProgressKey(chapter.chapterId);
    // As in `save`: both stores under the identity's lock, stamped inside it.
    const saved = await this.editProfile(identity.id, identity.kind === 'guest', async (profile, now) => {
      if (input.forwardOnly) {
        // Read under the lock, so a save just before this one counts.
        const kept = await this.progress.findFile(profile._id, key);
        if (kept && (kept.finished || kept.position >= page)) return kept;
      }
      await this.progress.saveFile({
        identityId: profile._id,
        fileId: chapter.fileId,
        titleId: chapter.titleId,
        chapterId: chapter.chapterId,
        position: page,
        duration: chapter.pageCount,
        finished,
        updatedAt: now,
      });
      const entry = (at: ReadingChapter, position: number): ContinueEntry => ({
        fileId: at.fileId,
        titleId: at.titleId,
        chapterId: at.chapterId,
        chapterLabel: at.label,
        position,
        duration: at.pageCount,
        updatedAt: now,
      });
      profile.continue =
        finished && next
          ? nextContinueList(profile.continue, entry(next, 1), false)
          : nextContinueList(profile.continue, entry(chapter, page), finished);
      touchFile(profile, key);
      return { position: page, finished, updatedAt: now };
    });
    return {
      chapterId: chapter.chapterId,
      page: Math.min(saved.position, chapter.pageCount),
      pageCount: chapter.pageCount,
      finished: saved.finished,
      updatedAt: saved.updatedAt,
    };
  }

  async getReading(identity: Identity, chapterId: string, pageCount: number): Promise<ReadingProgressView> {
    const found = await this.progress.findFile(identity.id, chapterProgressKey(chapterId));
    return found
      ? {
          chapterId,
          page: Math.min(found.position, pageCount),
          pageCount,
          finished: found.finished,
          updatedAt: found.updatedAt,
        }
      : { chapterId, page: 1, pageCount, finished: false, updatedAt: null };
  }

  async get(identity: Identity, fileId: Types.ObjectId): Promise<FileProgressView> {
    // The file first (one `_id` read): a deleted one, or one this site does not show, is a 404 even
    // where a position was saved for it.
    const file = await this.library.requireFile(fileId);
    const found = await this.progress.findFile(identity.id, String(fileId));
    if (found) return view(found);
    return {
      fileId: String(fileId),
      titleId: file.titleId ? String(file.titleId) : null,
      position: 0,
      duration: file.duration ?? 0,
      finished: false,
      updatedAt: null,
    };
  }

  /**
   * Started, unfinished files, newest first, one per title, with the title's name; on a site showing
   * part of the library (a franchise tenant's scope), only those of titles it shows.
   */
  async continueWatching(identity: Identity, limit: number): Promise<ContinueItem[]> {
    const scoped = TenantContext.current().scope.mode === 'filtered';
    const listed = (await this.progress.findProfile(identity.id))?.continue ?? [];
    const titleIds = [...new Set(listed.flatMap((entry) => entry.titleId ?? []))];
    // Files a title does not list: loose ones, and a chapter's archive (its series lists chapters).
    const ownFileIds = listed.flatMap((entry) =>
      !entry.titleId || entry.chapterId !== undefined ? [new Types.ObjectId(entry.fileId)] : [],
    );
    const [found, own] = await Promise.all([
      this.library.findTitles(titleIds.map((id) => new Types.ObjectId(id))),
      ownFileIds.length > 0 ? this.library.findFiles(ownFileIds) : [],
    ]);
    const titles = new Map(found.map((title) => [String(title._id), title]));
    const ownFiles = new Set(own.map((file) => String(file._id)));
    // Against the library as it is now (every read by `_id`): a title, episode, chapter or file deleted
    // since leaves the row instead of a card that leads to a 404.
    const present = listed.filter((entry) => {
      if (!entry.titleId) return ownFiles.has(entry.fileId);
      const title = titles.get(entry.titleId);
      if (title === undefined) return false;
      return entry.chapterId !== undefined
        ? ownFiles.has(entry.fileId)
        : titleFileIds(title).has(entry.fileId);
    });
    const entries = (scoped ? await this.shownOnSite(present, titles) : present).slice(0, limit);
    return entries.map((entry) => {
      const title = entry.titleId ? titles.get(entry.titleId) : undefined;
      return {
        ...view({ ...entry, finished: false }),
        season: entry.season ?? null,
        episode: entry.episode ?? null,
        chapterId: entry.chapterId ?? null,
        chapterLabel: entry.chapterLabel ?? null,
        title: title
          ? {
              id: String(title._id),
              kind: title.kind,
              name: title.name,
              year: title.year ?? null,
              poster: artworkSrc(title.artwork?.poster, 'w185') ?? null,
            }
          : null,
        still:
          artworkSrc(
            title?.episodeStills?.find((s) => s.season === entry.season && s.episode === entry.episode)
              ?.artwork,
            'w342',
          ) ?? null,
      };
    });
  }

  /**
   * The entries the current site's scope shows: a title's by the scope rule (the titles read by
   * `_id`; a title deleted since is shown nowhere), a file without a title as the library judges it.
   */
  private async shownOnSite(
    entries: readonly ContinueEntry[],
    titles: ReadonlyMap<string, Title>,
  ): Promise<ContinueEntry[]> {
    const shows = scopeRule(TenantContext.current().scope);
    const kept = await Promise.all(
      entries.map(async (entry) => {
        if (!entry.titleId) {
          return this.library.fileInScope({ _id: new Types.ObjectId(entry.fileId), titleId: undefined });
        }
        const title = titles.get(entry.titleId);
        return title !== undefined && shows(titleSubject(title));
      }),
    );
    return entries.filter((_, index) => kept[index]);
  }

  async forTitle(identity: Identity, titleId: Types.ObjectId): Promise<TitleProgressView> {
    const title = await this.library.requireTitle(titleId);
    const profile = await this.progress.findProfile(identity.id);
    const choice = profile?.titles.find((entry) => entry.titleId === String(titleId));
    const watched = new Set(choice?.watched ?? []);
    const started = (profile?.files ?? []).filter((fileId) => titleFileIds(title).has(fileId));
    const files = await Promise.all(started.map((fileId) => this.progress.findFile(identity.id, fileId)));
    return {
      titleId: String(titleId),
      audioTrack: choice?.audioTrack ?? null,
      subtitleTrack: choice?.subtitleTrack ?? null,
      watchedFileIds: [...watched],
      episodes: title.seasons.flatMap((season) =>
        season.episodes.map((episode) => {
          const fileIds = episode.fileIds.map(String);
          return {
            season: season.number,
            episode: episode.number,
            fileIds,
            watched: fileIds.some((id) => watched.has(id)),
          };
        }),
      ),
      files: files.flatMap((file) =>
        file
          ? [
              {
                fileId: file.fileId,
                position: file.position,
                duration: file.duration,
                finished: file.finished,
              },
            ]
          : [],
      ),
    };
  }

  /**
   * A guest signed in: its progress becomes the account's (the newer of the two wins per file) and
   * the guest's is removed, its profile left as a pointer to the account (see `editProfile`).
   * Idempotent, so a retried sign-in does no harm. The files are merged under the account's lock too
   * (taken second: only adoption, and a save redirected by the pointer, hold two), so a save the
   * account makes on another device meanwhile is not overwritten by the guest's older position.
   */
  async adoptGuest(guestId: string, userId: string): Promise<void> {
    if (!guestId.startsWith('guest:') || guestId === userId) return;
    await this.mutex.withLock(`progress:${guestId}`, async () => {
      const guest = await this.progress.findProfile(guestId);
      if (guest?.adoptedInto !== undefined) return;
      // A guest that saved nothing yet gets the pointer too: its first save may be the one waiting.
      if (guest) await this.mergeGuest(guest, userId);
      for (const fileId of guest?.files ?? []) await this.progress.deleteFile(guestId, fileId);
      await this.progress.saveProfile({
        _id: guestId,
        guest: true,
        adoptedInto: userId,
        continue: [],
        titles: [],
        files: [],
        updatedAt: new Date(),
      });
    });
  }

  private async mergeGuest(guest: ViewerProfile, userId: string): Promise<void> {
    const guestId = guest._id;
    await this.editProfile(userId, false, async (profile) => {
      for (const fileId of guest.files) {
        const theirs = await this.progress.findFile(guestId, fileId);
        if (!theirs) continue;
        const ours = await this.progress.findFile(userId, fileId);
        if (!ours || ours.updatedAt < theirs.updatedAt) {
          const { _id: _unused, ...rest } = theirs;
          await this.progress.saveFile({ ...rest, identityId: userId });
        }
      }
      profile.continue = mergeContinueLists(profile.continue, guest.continue);
      // The guest's files count as the newer (played just before signing in): over the cap, the
      // account's oldest go first.
      profile.files = [...new Set([...profile.files, ...guest.files])];
      for (const theirs of guest.titles) {
        const ours = titleChoice(profile, theirs.titleId, theirs.updatedAt);
        ours.watched = [...new Set([...ours.watched, ...theirs.watched])];
        if (theirs.updatedAt >= ours.updatedAt) {
          ours.audioTrack = theirs.audioTrack ?? ours.audioTrack;
          ours.subtitleTrack = theirs.subtitleTrack ?? ours.subtitleTrack;
          ours.updatedAt = theirs.updatedAt;
        }
      }
    });
  }

  /**
   * Removes guests not seen since `cutoff`, a batch at a time, until a batch comes back short (none
   * left) or `budgetMs` has gone (the sweeper's lock is 10 minutes; the next tick goes on); returns
   * how many. One batch a tick was less than a busy site's new guests: the backlog only grew.
   */
  async sweepGuests(cutoff: Date, batch = 200, budgetMs = 5 * 60 * 1000): Promise<number> {
    const deadline = Date.now() + budgetMs;
    let removed = 0;
    for (;;) {
      const guestIds = await this.progress.abandonedGuests(cutoff, batch);
      let removedNow = 0;
      for (const guestId of guestIds) {
        await this.mutex.withLock(`progress:${guestId}`, async () => {
          const guest = await this.progress.findProfile(guestId);
          if (!guest || guest.updatedAt >= cutoff) return;
          await this.forget(guest);
          removedNow++;
        });
      }
      removed += removedNow;
      // A batch that removed nobody would come back the same.
      if (guestIds.length < batch || removedNow === 0 || Date.now() >= deadline) return removed;
    }
  }

  /** Removes the progress of identities that are going away (a purged tenant's accounts). */
  async forgetIdentities(identityIds: readonly string[]): Promise<void> {
    for (const identityId of identityIds) {
      await this.mutex.withLock(`progress:${identityId}`, async () => {
        const profile = await this.progress.findProfile(identityId);
        if (profile) await this.forget(profile);
      });
    }
  }

  private async forget(profile: ViewerProfile): Promise<void> {
    for (const fileId of profile.files) await this.progress.deleteFile(profile._id, fileId);
    await this.progress.deleteProfile(profile._id);
  }

  /** Edits the identity's profile under its lock; `now` is the edit's time, taken once the lock is held. */
  private async editProfile<T>(
    identityId: string,
    guest: boolean,
    edit: (profile: ViewerProfile, now: Date) => T | Promise<T>,
  ): Promise<T> {
    return this.mutex.withLock(`progress:${identityId}`, async () => {
      const found = await this.progress.findProfile(identityId);
      if (found?.adoptedInto !== undefined) return this.editAdopted(found, found.adoptedInto, edit);
      const now = new Date();
      const profile = found ?? {
        _id: identityId,
        guest,
        continue: [],
        titles: [],
        files: [],
        updatedAt: now,
      };
      const result = await edit(profile, now);
      // Pruned on every write, whatever the edit. The dropped files' records go first: a failure then
      // leaves them listed, for a later write to drop, rather than unlisted and never removed.
      for (const key of pruneProfile(profile)) await this.progress.deleteFile(identityId, key);
      profile.updatedAt = now;
      await this.progress.saveProfile(profile);
      return result;
    });
  }

  /**
   * An edit of a guest that signed in while the edit waited for its lock (a save sent just before): it
   * goes to the account, under the account's lock too (taken second, as adoption does), rather than
   * onto a new guest profile nobody reads again. Past the grace, the client is told to reload.
   */
  private editAdopted<T>(
    guest: ViewerProfile,
    userId: string,
    edit: (profile: ViewerProfile, now: Date) => T | Promise<T>,
  ): Promise<T> {
    if (Date.now() - guest.updatedAt.getTime() > ADOPTED_GUEST_GRACE_MS) {
      throw new AppError(
        409,
        'signed_in',
        'This guest has signed in since: reload the page to continue as the account.',
      );
    }
    return this.editProfile(userId, false, edit);
  }
}

/**
 * The file's length as its probe measured it; the client's only for a file never probed (the DTO
 * keeps that one positive and bounded). The client's word would decide "watched": a duration equal to
 * the position marks anything watched, a wrong one skews the continue row's share played.
 */
function lengthOf(file: MediaFile, input: ProgressInput): number {
  return file.duration !== undefined && file.duration > 0 ? file.duration : input.duration;
}

function continueEntry(
  file: MediaFile,
  saved: { fileId: string; titleId?: string } & ProgressInput & { updatedAt: Date },
): ContinueEntry {
  return {
    fileId: saved.fileId,
    titleId: saved.titleId,
    season: file.season,
    episode: file.episodes[0],
    position: saved.position,
    duration: saved.duration,
    updatedAt: saved.updatedAt,
  };
}

function titleChoice(profile: ViewerProfile, titleId: string, now: Date): TitleChoice {
  let choice = profile.titles.find((entry) => entry.titleId === titleId);
  if (!choice) {
    choice = { titleId, watched: [], updatedAt: now };
    profile.titles.push(choice);
  }
  choice.updatedAt = now > choice.updatedAt ? now : choice.updatedAt;
  return choice;
}

function titleFileIds(title: {
  fileIds: Types.ObjectId[];
  seasons: { episodes: { fileIds: Types.ObjectId[] }[] }[];
}): Set<string> {
  return new Set([
    ...title.fileIds.map(String),
    ...title.seasons.flatMap((season) => season.episodes.flatMap((episode) => episode.fileIds.map(String))),
  ]);
}

function view(progress: {
  fileId: string;
  titleId?: string;
  position: number;
  duration: number;
  finished: boolean;
  updatedAt: Date;
}): FileProgressView {
  return {
    fileId: progress.fileId,
    titleId: progress.titleId ?? null,
    position: progress.position,
    duration: progress.duration,
    finished: progress.finished,
    updatedAt: progress.updatedAt,
  };
}
