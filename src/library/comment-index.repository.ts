import { Injectable } from '@nestjs/common';
import { RedisClient } from '../core/redis/redis-client.js';

/** Bump when what the index holds changes: a different version is rebuilt from the database. */
export const COMMENT_INDEX_VERSION = 1;

export interface IndexedCommentPage {
  /** False while the index has not been built from the database (fresh install, flush, new version). */
  built: boolean;
  /** Comment ids, newest first. */
  ids: string[];
  total: number;
}

/**
 * Which comments each title has, newest first, in Redis: a sorted set per title (score: creation
 * time in ms; ties fall back to the id, which grows with time), so a title's comment page is one range
 * read and its count one ZCARD instead of a filtered scan of `comments`. Every key shares one hash tag
 * (Redis Cluster: the page and the `built` check are one MULTI).
 */
@Injectable()
export class CommentIndexRepository {
  constructor(private readonly redis: RedisClient) {}

  private titleKey(titleId: string): string {
    return `comments:{index}:title:${titleId}`;
  }

  private get metaKey(): string {
    return 'comments:{index}:meta';
  }

  async add(entries: readonly { titleId: string; commentId: string; at: number }[]): Promise<void> {
    if (entries.length === 0) return;
    const pipeline = this.redis.client.pipeline();
    for (const { titleId, commentId, at } of entries) pipeline.zadd(this.titleKey(titleId), at, commentId);
    for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
  }

  async remove(titleId: string, commentIds: readonly string[]): Promise<void> {
    if (commentIds.length > 0) await this.redis.client.zrem(this.titleKey(titleId), ...commentIds);
  }

  /** Drops whole threads (`perSiteKey(tenant, titleId)` each): a title's, on every site that has one. */
  async removeThreads(threads: readonly string[]): Promise<void> {
    if (threads.length > 0) await this.redis.client.del(...threads.map((thread) => this.titleKey(thread)));
  }

  async page(titleId: string, skip: number, limit: number): Promise<IndexedCommentPage> {
    const key = this.titleKey(titleId);
    const replies = await this.redis.client
      .multi()
      .hget(this.metaKey, 'version')
      .zrevrange(key, skip, skip + limit - 1)
      .zcard(key)
      .exec();
    const [version, ids, total] = (replies ?? []).map(([error, value]) => {
      if (error) throw error;
      return value;
    }) as [string | null, string[], number];
    return { built: Number(version) === COMMENT_INDEX_VERSION, ids, total: Number(total) };
  }

  async markBuilt(): Promise<void> {
    await this.redis.client.hset(this.metaKey, { version: COMMENT_INDEX_VERSION, builtAt: Date.now() });
  }

  /** The index can no longer be trusted (a write it missed): reads use the database until a rebuild. */
  async invalidate(): Promise<void> {
    await this.redis.client.hdel(this.metaKey, 'version');
  }
}
