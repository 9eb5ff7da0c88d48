import { RedisClient } from '../../core/redis/redis-client.js';
import { type TitleFields } from '../library.service.js';
import { type ExternalIds } from '../schemas/title.schema.js';
import { type EpisodeStillSource, type MetadataProvider, type MetadataQuery } from './metadata-provider.js';

const HIT_TTL_SECONDS = 7 * 24 * 3600;
/** A "no such title" answer is kept shorter: catalogues add titles, and names get fixed by admins. */
const MISS_TTL_SECONDS = 24 * 3600;

/** Wraps a provider with a Redis cache of its answers (matches and misses; never failures). */
export class CachedMetadataProvider implements MetadataProvider {
  readonly name: string;

  constructor(
    private readonly inner: MetadataProvider,
    private readonly redis: RedisClient,
  ) {
    this.name = inner.name;
    if (inner.episodeStills) {
      const stills = inner.episodeStills.bind(inner);
      this.episodeStills = async (ids: ExternalIds, seasons: readonly number[]) => {
        const key = `metadata:${this.name}:stills:${JSON.stringify(ids)}:${seasons.join(',')}`;
        const cached = await this.redis.client.get(key);
        if (cached !== null) return JSON.parse(cached) as EpisodeStillSource[];
        const found = await stills(ids, seasons);
        await this.redis.client.set(key, JSON.stringify(found), 'EX', HIT_TTL_SECONDS);
        return found;
      };
    }
  }

  readonly episodeStills?: (ids: ExternalIds, seasons: readonly number[]) => Promise<EpisodeStillSource[]>;

  serves(kind: MetadataQuery['kind']): boolean {
    return this.inner.serves(kind);
  }

  async lookup(query: MetadataQuery): Promise<TitleFields | undefined> {
    const key = `metadata:${this.name}:${query.kind}:${query.name.toLowerCase()}:${query.year ?? ''}`;
    const cached = await this.redis.client.get(key);
    if (cached !== null) return cached === 'none' ? undefined : (JSON.parse(cached) as TitleFields);
    const fields = await this.inner.lookup(query);
    await this.redis.client.set(
      key,
      fields ? JSON.stringify(fields) : 'none',
      'EX',
      fields ? HIT_TTL_SECONDS : MISS_TTL_SECONDS,
    );
    return fields;
  }
}
