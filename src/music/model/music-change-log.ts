import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../core/config/app-config.js';
import { RedisClient } from '../../core/redis/redis-client.js';
import { type MusicAlbum, type MusicArtist } from './music.schema.js';

/** How many changes were recorded: the library's revision (it only grows, unlike the log). */
const REVISION_KEY = 'music:revision';
/** The ids of the latest albums and artists that changed, oldest first, cut to `changeLogLength`. */
const LOG_KEY = 'music:change-log';
/** The whole library as of a revision, gzipped JSON: a manager that starts loads it instead of every album. */
const CHECKPOINT_KEY = 'music:catalog-checkpoint';
/**
 * The first layout: an uncapped list whose length was the revision, and its checkpoint. Their
 * revisions do not match the counter's, so they are deleted rather than read.
 */
const RETIRED_KEYS = ['music:changes', 'music:checkpoint'];

export interface CatalogCheckpoint {
  revision: number;
  albums: MusicAlbum[];
  artists: MusicArtist[];
}

/** The changes after a revision, and the revision they bring the reader to. */
export interface ChangesSince {
  revision: number;
  ids: string[];
}

/**
 * Which albums and artists changed, in order, so each manager's in-memory catalog reads only those
 * (by `_id`). The revision is a counter and the log keeps the latest `changeLogLength` ids: a catalog
 * further behind than that (a manager that slept through a big import) loads again from the
 * checkpoint or the database instead of reading an ever-growing list.
 */
@Injectable()
export class MusicChangeLog implements OnApplicationBootstrap {
  private readonly logger = new Logger('music');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly redis: RedisClient,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const removed = await this.redis.client.del(...RETIRED_KEYS).catch(() => 0);
    if (removed > 0) this.logger.log('music: the uncapped change list of the first layout was removed');
  }

  async record(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.redis.client
      .multi()
      .rpush(LOG_KEY, ...ids)
      .ltrim(LOG_KEY, -this.config.music.changeLogLength, -1)
      .incrby(REVISION_KEY, ids.length)
      .exec();
  }

  async revision(): Promise<number> {
    return Number((await this.redis.client.get(REVISION_KEY)) ?? 0);
  }

  /**
   * The ids changed after revision `from`, read with the revision in one transaction; undefined when
   * they are no longer all kept (or `from` is ahead of the store: Redis lost its data).
   */
  async since(from: number): Promise<ChangesSince | undefined> {
    const replies = await this.redis.client.multi().get(REVISION_KEY).lrange(LOG_KEY, 0, -1).exec();
    const revision = Number((replies?.[0]?.[1] as string | null) ?? 0);
    const kept = (replies?.[1]?.[1] as string[] | undefined) ?? [];
    const oldest = revision - kept.length;
    if (from < oldest || from > revision) return undefined;
    return { revision, ids: kept.slice(from - oldest) };
  }

  async saveCheckpoint(checkpoint: CatalogCheckpoint): Promise<void> {
    const packed = await promisify(gzip)(Buffer.from(JSON.stringify(checkpoint)));
    await this.redis.client.set(CHECKPOINT_KEY, packed);
  }

  async loadCheckpoint(): Promise<CatalogCheckpoint | undefined> {
    const packed = await this.redis.client.getBuffer(CHECKPOINT_KEY);
    if (!packed) return undefined;
    return JSON.parse((await promisify(gunzip)(packed)).toString('utf8')) as CatalogCheckpoint;
  }
}
