import { Injectable, Logger } from '@nestjs/common';
import { type Model, type Types } from 'mongoose';
import { findEachById } from '../core/database/find-each-by-id.js';
import { MongoConnection } from '../core/database/mongo-connection.js';
import { TenantContext } from '../core/tenancy/tenant-context.js';
import { perSiteKey, recordTenantId } from '../core/tenancy/tenant.js';
import { CommentIndexRepository } from './comment-index.repository.js';
import { type Comment, commentSchema } from './schemas/comment.schema.js';

/**
 * The comments collection. Every write also files its effect in the comment index
 * (CommentIndexRepository), which answers a title's pages without a filtered scan; a write the index
 * misses marks it for a rebuild.
 */
@Injectable()
export class CommentRepository {
  private readonly logger = new Logger('library');
  private readonly model: Model<Comment>;

  constructor(
    mongo: MongoConnection,
    private readonly index: CommentIndexRepository,
  ) {
    this.model = mongo.connection.model<Comment>('Comment', commentSchema);
  }

  async insert(comment: Omit<Comment, '_id'>): Promise<Comment> {
    const created = (await this.model.create(comment)).toObject<Comment>();
    await this.indexed(() =>
      this.index.add([
        {
          titleId: perSiteKey(created.tenantId, String(created.titleId)),
          commentId: String(created._id),
          at: created.createdAt.getTime(),
        },
      ]),
    );
    return created;
  }

  /** Newest first, by a filtered query (the fallback while the index is being built). */
  listForTitle(titleId: Types.ObjectId, skip: number, limit: number): Promise<Comment[]> {
    return this.model
      .find({ titleId, ...siteFilter() })
      .sort({ createdAt: -1, _id: -1 })
      .skip(skip)
      .limit(limit)
      .lean<Comment[]>()
      .exec();
  }

  countForTitle(titleId: Types.ObjectId): Promise<number> {
    return this.model.countDocuments({ titleId, ...siteFilter() }).exec();
  }

  /** Comments by id (one `_id` lookup each), in the order given; missing ones are left out. */
  findByIds(ids: readonly Types.ObjectId[]): Promise<Comment[]> {
    return findEachById(this.model, ids);
  }

  /** Every comment's id, title and time (building the index). */
  each(): AsyncIterable<Pick<Comment, '_id' | 'titleId' | 'createdAt' | 'tenantId'>> {
    return this.model
      .find({}, { titleId: 1, createdAt: 1, tenantId: 1 })
      .lean<Pick<Comment, '_id' | 'titleId' | 'createdAt' | 'tenantId'>>()
      .cursor();
  }

  async delete(titleId: Types.ObjectId, commentId: Types.ObjectId): Promise<boolean> {
    const deleted =
      (await this.model.deleteOne({ _id: commentId, titleId, ...siteFilter() })).deletedCount === 1;
    const thread = perSiteKey(TenantContext.current().id, String(titleId));
    if (deleted) await this.indexed(() => this.index.remove(thread, [String(commentId)]));
    return deleted;
  }

  /** A title's comments on every site, and every site's thread of it in the index. */
  async deleteForTitle(titleId: Types.ObjectId): Promise<void> {
    const sites = (await this.model.distinct('tenantId', { titleId })) as Comment['tenantId'][];
    await this.model.deleteMany({ titleId });
    const threads = new Set([String(titleId), ...sites.map((site) => perSiteKey(site, String(titleId)))]);
    await this.indexed(() => this.index.removeThreads([...threads]));
  }

  /** A franchise tenant's comments, and its threads in the index (the tenant is being purged). */
  async deleteForTenant(tenantId: string): Promise<number> {
    const titles = (await this.model.distinct('titleId', { tenantId })) as Comment['titleId'][];
    const deleted = (await this.model.deleteMany({ tenantId })).deletedCount;
    const threads = titles.map((titleId) => perSiteKey(tenantId, String(titleId)));
    await this.indexed(() => this.index.removeThreads(threads));
    return deleted;
  }

  /** A write's index update; if it fails, the index is marked for a rebuild (never fails the write). */
  private async indexed(update: () => Promise<void>): Promise<void> {
    try {
      await update();
    } catch (error) {
      this.logger.warn(`comment index not updated: ${(error as Error).message}`);
      await this.index.invalidate().catch(() => undefined);
    }
  }
}

/** The current site's comments only (comments from before tenancy, without a tenant, are the default site's). */
function siteFilter(): { tenantId: string | { $exists: false } } {
  return { tenantId: recordTenantId(TenantContext.current().id) ?? { $exists: false } };
}
