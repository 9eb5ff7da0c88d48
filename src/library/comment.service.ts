import { Injectable, Logger } from '@nestjs/common';
import { CommentQuota } from './comment-quota.js';
import { Types } from 'mongoose';
import { AppError } from '../core/errors/app-error.js';
import { type Identity } from '../core/identity/identity.js';
import { RedisMutex } from '../core/redis/redis-mutex.js';
import { TenantContext } from '../core/tenancy/tenant-context.js';
import { perSiteKey, recordTenantId } from '../core/tenancy/tenant.js';
import { CommentIndexRepository } from './comment-index.repository.js';
import { CommentRepository } from './comment.repository.js';
import { type Comment } from './schemas/comment.schema.js';
import { LibraryService } from './library.service.js';

export interface CommentView {
  id: string;
  titleId: string;
  author: { id: string; name: string };
  body: string;
  createdAt: Date;
}

const BUILD_BATCH = 500;

/**
 * Comments of titles. A title's pages come from the comment index (ids newest first, and the count)
 * and the comments by `_id`; until the index has been built from the database (a fresh install, a
 * Redis flush) they come from a filtered query while one process builds it.
 */
@Injectable()
export class CommentService {
  private readonly logger = new Logger('library');
  private building?: Promise<void>;
  private lastBuildAttempt = 0;

  constructor(
    private readonly comments: CommentRepository,
    private readonly library: LibraryService,
    private readonly index: CommentIndexRepository,
    private readonly mutex: RedisMutex,
    private readonly quota: CommentQuota,
  ) {}

  async add(titleId: Types.ObjectId, author: Identity, body: string): Promise<CommentView> {
    const text = body.trim();
    if (text.length === 0) throw new AppError(400, 'bad_request', 'A comment cannot be empty.');
    await this.requireTitle(titleId);
    await this.quota.take();
    const comment = await this.comments.insert({
      titleId,
      tenantId: recordTenantId(TenantContext.current().id),
      authorId: author.id,
      authorName: author.name,
      body: text,
      createdAt: new Date(),
    });
    return toView(comment);
  }

  async list(titleId: Types.ObjectId, page: number, pageSize: number) {
    await this.requireTitle(titleId);
    return this.listOfKnownTitle(titleId, page, pageSize);
  }

  /**
   * The same page for a title the caller reads itself (the title page reads it alongside): no second
   * lookup of the title here. An unknown title simply has no comments.
   */
  async listOfKnownTitle(titleId: Types.ObjectId, page: number, pageSize: number) {
    const skip = (page - 1) * pageSize;
    const thread = perSiteKey(TenantContext.current().id, String(titleId));
    const indexed = await this.index.page(thread, skip, pageSize).catch((error: Error) => {
      this.logger.warn(`comment index unreadable: ${error.message}`);
      return undefined;
    });
    if (indexed?.built) {
      const found = await this.comments.findByIds(indexed.ids.map((id) => new Types.ObjectId(id)));
      // An id whose comment is gone (deleted while the index was being built): drop it now.
      const ghosts = indexed.ids.filter((id) => !found.some((comment) => String(comment._id) === id));
      if (ghosts.length > 0) await this.index.remove(thread, ghosts).catch(() => undefined);
      return { items: found.map(toView), page, pageSize, total: indexed.total - ghosts.length };
    }
    if (indexed) this.ensureIndexBuilt();
    // One more than the page: when it does not come, the page itself says the total.
    const rows = await this.comments.listForTitle(titleId, skip, pageSize + 1);
    const ended = rows.length <= pageSize && (rows.length > 0 || skip === 0);
    const total = ended ? skip + rows.length : await this.comments.countForTitle(titleId);
    return { items: rows.slice(0, pageSize).map(toView), page, pageSize, total };
  }

  /** Files every comment in the index, then marks it built; one build at a time across processes. */
  async buildIndex(): Promise<boolean> {
    let started = false;
    try {
      await this.mutex.withLock(
        'comment-index-build',
        async () => {
          started = true;
          const began = Date.now();
          let batch: { titleId: string; commentId: string; at: number }[] = [];
          let count = 0;
          for await (const comment of this.comments.each()) {
            batch.push({
              titleId: perSiteKey(comment.tenantId, String(comment.titleId)),
              commentId: String(comment._id),
              at: new Date(comment.createdAt).getTime(),
            });
            if (batch.length >= BUILD_BATCH) {
              await this.index.add(batch);
              count += batch.length;
              batch = [];
            }
          }
          await this.index.add(batch);
          count += batch.length;
          await this.index.markBuilt();
          this.logger.log(`comment index built: ${count} comment(s) in ${Date.now() - began} ms`);
        },
        { ttlMs: 30_000, waitMs: 0, renew: true },
      );
      return true;
    } catch (error) {
      // The lock is held: another process is building.
      if (!started && error instanceof AppError && error.getStatus() === 503) return false;
      throw error;
    }
  }

  /** Starts a build in the background, unless one runs here or was tried in the last few seconds. */
  private ensureIndexBuilt(): void {
    if (this.building || Date.now() - this.lastBuildAttempt < 5000) return;
    this.lastBuildAttempt = Date.now();
    this.building = this.buildIndex()
      .then(() => undefined)
      .catch((error: Error) => this.logger.error(`comment index build failed: ${error.message}`))
      .finally(() => (this.building = undefined));
  }

  async delete(titleId: Types.ObjectId, commentId: Types.ObjectId): Promise<void> {
    if (!(await this.comments.delete(titleId, commentId))) {
      throw new AppError(404, 'not_found', `No comment ${String(commentId)} on title ${String(titleId)}.`);
    }
  }

  /** A title this site shows (a franchise tenant's scope hides the rest, comments included). */
  private async requireTitle(titleId: Types.ObjectId): Promise<void> {
    await this.library.requireTitle(titleId);
  }
}

function toView(comment: Comment): CommentView {
  return {
    id: String(comment._id),
    titleId: String(comment.titleId),
    author: { id: comment.authorId, name: comment.authorName },
    body: comment.body,
    createdAt: comment.createdAt,
  };
}
