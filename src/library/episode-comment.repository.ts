import { Injectable } from '@nestjs/common';
import { TenantContext } from '../core/tenancy/tenant-context.js';
import { perSiteKey } from '../core/tenancy/tenant.js';
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

  async delete(refs: readonly EpisodeRef[]): Promise<void> {
    for (const ref of refs) await this.model.deleteOne({ _id: threadId(ref) });
  }
}
