import { Injectable } from '@nestjs/common';
import { TenantContext } from '../core/tenancy/tenant-context.js';
import { perSiteKey } from '../core/tenancy/tenant.js';
import { escapeRegex } from './search/search-tokens.js';
import { type Model, type Types } from 'mongoose';
import { MongoConnection } from '../core/database/mongo-connection.js';
import {
  type EpisodeComment,
  type EpisodeCommentThread,
  episodeCommentThreadSchema,
} from './schemas/episode-comments.schema.js';

export interface EpisodeRef {
  titleId: Types.ObjectId;
  season: number;
  episode: number;
}

/** A thread per episode per site (a franchise tenant's viewers have threads of their own). */
export function threadId(ref: EpisodeRef): string {
  return perSiteKey(TenantContext.current().id, `${String(ref.titleId)}:${ref.season}:${ref.episode}`);
}

/** Episode comment threads, read and written by `_id` only. */
@Injectable()
export class EpisodeCommentRepository {
  private readonly model: Model<EpisodeCommentThread>;

  constructor(mongo: MongoConnection) {
    this.model = mongo.connection.model<EpisodeCommentThread>(
      'EpisodeCommentThread',
      episodeCommentThreadSchema,
    );
  }

  find(ref: EpisodeRef): Promise<EpisodeCommentThread | null> {
    return this.model.findById(threadId(ref)).lean<EpisodeCommentThread>().exec();
  }

  /** Writes the thread's whole list (callers hold the thread's lock: FerretDB rewrites documents). */
  async save(ref: EpisodeRef, comments: EpisodeComment[]): Promise<void> {
    await this.model.replaceOne(
      { _id: threadId(ref) },
      {
        _id: threadId(ref),
        titleId: ref.titleId,
        season: ref.season,
        episode: ref.episode,
        comments,
        updatedAt: new Date(),
      },
      { upsert: true },
    );
  }

  /** The episodes' threads on every site (a filtered delete: episodes are deleted rarely). */
  async delete(refs: readonly EpisodeRef[]): Promise<void> {
    for (const { titleId, season, episode } of refs)
      await this.model.deleteMany({ titleId, season, episode });
  }

  /** Every thread of the title's episodes, on every site (also of episodes no longer in its seasons). */
  async deleteForTitle(titleId: Types.ObjectId): Promise<void> {
    await this.model.deleteMany({ titleId });
  }

  /** A franchise tenant's threads (`_id` = `<tenant>:…`; the tenant is being purged). */
  async deleteForTenant(tenantId: string): Promise<number> {
    const prefix = new RegExp(`^${escapeRegex(tenantId)}:`);
    return (await this.model.deleteMany({ _id: prefix })).deletedCount;
  }
}
