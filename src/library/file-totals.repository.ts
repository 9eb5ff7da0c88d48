import { Injectable } from '@nestjs/common';
import { RedisClient } from '../core/redis/redis-client.js';

export interface FileTotalsFigures {
  files: number;
  bytes: number;
}

/** Adds to both figures in one step; `counted` is left alone (a delta alone is not a total). */
const ADD = `redis.call('HINCRBY', KEYS[1], 'files', ARGV[1])
redis.call('HINCRBY', KEYS[1], 'bytes', ARGV[2])
return 1`;

/**
 * How many media_files records the library holds and their total size, kept in one Redis hash by
 * every write of the collection (MediaFileRepository), so the dashboard and the bot's /stats never
 * scan. The figures are a total only while `counted` is set: a recount (FileTotals) sets it, a flush
 * or `invalidate` clears it, and deltas that arrive meanwhile do not make it one.
 */
@Injectable()
export class FileTotalsRepository {
  private static readonly KEY = 'library:file-totals';

  constructor(private readonly redis: RedisClient) {}

  async add(files: number, bytes: number): Promise<void> {
    if (files === 0 && bytes === 0) return;
    await this.redis.client.eval(ADD, 1, FileTotalsRepository.KEY, files, bytes);
  }

  /** The totals, or undefined while they need a recount. */
  async read(): Promise<FileTotalsFigures | undefined> {
    const raw = await this.redis.client.hgetall(FileTotalsRepository.KEY);
    if (raw.counted === undefined) return undefined;
    return { files: Number(raw.files ?? 0), bytes: Number(raw.bytes ?? 0) };
  }

  /** Replaces the figures with a recount's. */
  async store(totals: FileTotalsFigures): Promise<void> {
    await this.redis.client.hset(FileTotalsRepository.KEY, {
      files: totals.files,
      bytes: totals.bytes,
      counted: Date.now(),
    });
  }

  /** The figures can no longer be trusted (a write whose effect is unknown): the next read recounts. */
  async invalidate(): Promise<void> {
    await this.redis.client.hdel(FileTotalsRepository.KEY, 'counted');
  }
}
