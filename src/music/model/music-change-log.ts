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

/** The revision and the ids after ARGV[1] (-1 when they are not all kept), atomically. */
const SINCE_SCRIPT = `
local revision = tonumber(redis.call('GET', KEYS[1]) or '0')
local oldest = revision - redis.call('LLEN', KEYS[2])
local from = tonumber(ARGV[1])
if from < oldest or from > revision then return {revision, -1} end
return {revision, redis.call('LRANGE', KEYS[2], from - oldest, -1)}
`;

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
   * The ids changed after revision `from`, read with the revision in one step (only those: a catalog
   * a few changes behind reads a few ids, not the whole log); undefined when they are no longer all
   * kept (or `from` is ahead of the store: Redis lost its data).
   */
  async since(from: number): Promise<ChangesSince | undefined> {
    const [revision, ids] = (await this.redis.client.eval(SINCE_SCRIPT, 2, REVISION_KEY, LOG_KEY, from)) as [
      number,
      string[] | number,
    ];
    return Array.isArray(ids) ? { revision, ids } : undefined;
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
