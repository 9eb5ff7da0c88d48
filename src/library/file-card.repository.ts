import { Injectable } from '@nestjs/common';
import { type Redis } from 'ioredis';
import { RedisClient } from '../core/redis/redis-client.js';
import { type FileCard, parseFileCard, serializeFileCard, type StoredFileCard } from './file-card.js';

/** A deleted file's mark: no card is stored for it again. */
const GONE = 'x';

/**
 * ARGV: pairs of id, "<revision>|<card JSON>". Stores each card unless a newer revision of it or a
 * deleted file's mark is there, so writes and read fills that land out of order keep the newest.
 */
const PUT = `
for i = 1, #ARGV, 2 do
  local current = redis.call('HGET', KEYS[1], ARGV[i])
  local stored = current and tonumber(string.match(current, '^(%d+)|'))
  local incoming = tonumber(string.match(ARGV[i + 1], '^(%d+)|'))
  if current ~= '${GONE}' and (not stored or stored <= incoming) then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  end
end
return 1`;

interface FileCardCommands {
  fileCardsPut(key: string, ...args: string[]): Promise<number>;
}

/**
 * Every file's card (what a title's file list shows) in one Redis hash, file id → revision and card,
 * kept by every write of `media_files` (MediaFileRepository) and filled from the database for files
 * it lacks (a flush, files written before it existed), so a title page reads its files' cards in one
 * round trip instead of one `_id` lookup per file. One key (one hash tag), so it runs on Redis Cluster.
 */
@Injectable()
export class FileCardRepository {
  private static readonly KEY = 'library:{file-cards}';
  private readonly client: Redis & FileCardCommands;

  constructor(redis: RedisClient) {
    this.client = redis.client as Redis & FileCardCommands;
    this.client.defineCommand('fileCardsPut', { numberOfKeys: 1, lua: PUT });
  }

  /** The cards held for these ids, in the order given (undefined where none is held). */
  async get(ids: readonly string[]): Promise<(FileCard | undefined)[]> {
    if (ids.length === 0) return [];
    const values = await this.client.hmget(FileCardRepository.KEY, ...ids);
    return values.map((value) => {
      if (!value || value === GONE) return undefined;
      return parseFileCard(value.slice(value.indexOf('|') + 1));
    });
  }

  async put(cards: readonly StoredFileCard[]): Promise<void> {
    if (cards.length === 0) return;
    const args = cards.flatMap(({ revision, card }) => [
      String(card._id),
      `${revision}|${serializeFileCard(card)}`,
    ]);
    await this.client.fileCardsPut(FileCardRepository.KEY, ...args);
  }

  /** The files are gone: their cards go, and a late put cannot bring them back. */
  async remove(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.client.hset(FileCardRepository.KEY, Object.fromEntries(ids.map((id) => [id, GONE])));
  }

  /** A card that may be stale (its write's put failed): dropped, so the next read fills it again. */
  async forget(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.client.hdel(FileCardRepository.KEY, ...ids);
  }

  /** Bytes the hash takes in Redis (bench). */
  async bytes(): Promise<number> {
    return Number((await this.client.memory('USAGE', FileCardRepository.KEY, 'SAMPLES', '0')) ?? 0);
  }
}
