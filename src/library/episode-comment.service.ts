import { Injectable } from '@nestjs/common';
import { CommentQuota } from './comment-quota.js';
import { Types } from 'mongoose';
import { AppError } from '../core/errors/app-error.js';
import { type Identity } from '../core/identity/identity.js';
import { RedisMutex } from '../core/redis/redis-mutex.js';
import { type CommentView } from './comment.service.js';
import { EpisodeCommentRepository, type EpisodeRef, threadId } from './episode-comment.repository.js';
import { EPISODE_COMMENTS_KEPT, type EpisodeComment } from './schemas/episode-comments.schema.js';
import { LibraryService } from './library.service.js';

export interface EpisodeCommentView extends CommentView {
  season: number;
  episode: number;
}

/**
 * Comments on one episode of a series: the same rules as a title's (trimmed, not empty, at most 2000
 * characters, shown as text), kept in one document per episode so every read is an `_id` lookup.
 */
@Injectable()
export class EpisodeCommentService {
  constructor(
    private readonly threads: EpisodeCommentRepository,
    private readonly library: LibraryService,
    private readonly mutex: RedisMutex,
    private readonly quota: CommentQuota,
  ) {}

  async add(ref: EpisodeRef, author: Identity, body: string): Promise<EpisodeCommentView> {
    const text = body.trim();
    if (text.length === 0) throw new AppError(400, 'bad_request', 'A comment cannot be empty.');
    await this.requireEpisode(ref);
    await this.quota.take();
    const comment: EpisodeComment = {
      _id: new Types.ObjectId(),
      authorId: author.id,
      authorName: author.name,
      body: text,
      createdAt: new Date(),
    };
    await this.locked(ref, async () => {
      const current = (await this.threads.find(ref))?.comments ?? [];
      await this.threads.save(ref, withNewest(current, comment, author.kind === 'guest'));
    });
    return toView(ref, comment);
  }

  /** Newest first, a page at a time (the thread is one document; paging only trims the answer). */
  async list(ref: EpisodeRef, page: number, pageSize: number) {
    await this.requireEpisode(ref);
    const comments = (await this.threads.find(ref))?.comments ?? [];
    const items = comments.slice((page - 1) * pageSize, page * pageSize).map((c) => toView(ref, c));
    return { items, page, pageSize, total: comments.length };
  }

  /** The newest comments of an episode the caller has just read from its title (the player page). */
  async newest(ref: EpisodeRef, limit: number) {
    const comments = (await this.threads.find(ref))?.comments ?? [];
    return { items: comments.slice(0, limit).map((c) => toView(ref, c)), total: comments.length };
  }

  async delete(ref: EpisodeRef, commentId: Types.ObjectId): Promise<void> {
    const removed = await this.locked(ref, async () => {
      const current = (await this.threads.find(ref))?.comments ?? [];
      const kept = current.filter((comment) => !comment._id.equals(commentId));
      if (kept.length === current.length) return false;
      await this.threads.save(ref, kept);
      return true;
    });
    if (!removed) {
      throw new AppError(
        404,
        'not_found',
        `No comment ${String(commentId)} on season ${ref.season} episode ${ref.episode} of title ${String(ref.titleId)}.`,
      );
    }
  }

  private locked<T>(ref: EpisodeRef, work: () => Promise<T>): Promise<T> {
    return this.mutex.withLock(`episode-comments:${threadId(ref)}`, work);
  }

  private async requireEpisode(ref: EpisodeRef): Promise<void> {
    // A title this site shows (a franchise tenant's scope hides the rest, comments included).
    const title = await this.library.requireTitle(ref.titleId);
    const found = title.seasons.some(
      (season) => season.number === ref.season && season.episodes.some((e) => e.number === ref.episode),
    );
    if (!found) {
      throw new AppError(
        404,
        'not_found',
        `Title ${String(ref.titleId)} has no season ${ref.season} episode ${ref.episode}.`,
      );
    }
  }
}

/**
 * The thread with a new comment first, at most `EPISODE_COMMENTS_KEPT`: a full thread drops its oldest
 * comment — for a guest's comment, its oldest guest comment, so guests (whose cookies cost nothing)
 * can never push a signed-in viewer's comment out; a thread with no guest comment left is closed to them.
 */
function withNewest(current: EpisodeComment[], comment: EpisodeComment, byGuest: boolean): EpisodeComment[] {
  if (current.length < EPISODE_COMMENTS_KEPT) return [comment, ...current];
  if (!byGuest) return [comment, ...current].slice(0, EPISODE_COMMENTS_KEPT);
  const kept = current.slice(0, EPISODE_COMMENTS_KEPT);
  const oldestGuest = kept.findLastIndex((old) => old.authorId.startsWith('guest:'));
  if (oldestGuest === -1) {
    throw new AppError(
      409,
      'conflict',
      `This episode keeps its newest ${EPISODE_COMMENTS_KEPT} comments, all from signed-in viewers: sign in to comment.`,
    );
  }
  return [comment, ...kept.slice(0, oldestGuest), ...kept.slice(oldestGuest + 1)];
}

function toView(ref: EpisodeRef, comment: EpisodeComment): EpisodeCommentView {
  return {
    id: String(comment._id),
    titleId: String(ref.titleId),
    season: ref.season,
    episode: ref.episode,
    author: { id: comment.authorId, name: comment.authorName },
    body: comment.body,
    createdAt: comment.createdAt,
  };
}
