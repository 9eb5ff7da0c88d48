import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { type Types } from 'mongoose';
import { type ChannelCodec, RedisChannel } from '../core/redis/redis-channel.js';
import { RedisClient } from '../core/redis/redis-client.js';

/** Told the ids of files whose records changed or went; `undefined` means "forget everything". */
export type FileChangeListener = (fileIds: readonly string[] | undefined) => void;

/** File ids on the wire: joined by commas (ObjectIds hold none). */
const FILE_IDS: ChannelCodec<readonly string[]> = {
  encode: (ids) => ids.join(','),
  decode: (text) => text.split(','),
};

/**
 * Tells every process that a file record changed (renamed, new stills or subtitle tracks, filed under a
 * title) or went, over Redis pub/sub, so caches of file records (the streamer's) drop it at once
 * instead of serving it until their entries expire.
 * Listeners in this process hear a change before `publish` returns; other processes hear it from
 * Redis. While the subscription is down a listener cannot trust what it kept, so it is told to forget
 * everything when the subscription comes back, and `live` says whether caching is safe meanwhile.
 */
@Injectable()
export class FileChangeBus implements OnModuleDestroy {
  private readonly listeners = new Set<FileChangeListener>();
  private readonly channel: RedisChannel<readonly string[]>;
  private subscribing?: Promise<unknown>;

  constructor(redis: RedisClient) {
    this.channel = new RedisChannel(redis, ['library', 'file-changed'], FILE_IDS, {
      logger: new Logger('library'),
    });
  }

  /** True while changes published anywhere reach this process's listeners. */
  get live(): boolean {
    return this.channel.live;
  }

  async publish(fileIds: readonly (Types.ObjectId | string)[]): Promise<void> {
    if (fileIds.length === 0) return;
    const ids = fileIds.map(String);
    for (const listener of this.listeners) listener(ids);
    await this.channel.publish(ids);
  }

  /**
   * Calls `listener` with every change from now on. Resolves once subscribed, or once the first
   * attempt failed (Redis down: `live` stays false until the channel, which keeps trying, is in).
   */
  async listen(listener: FileChangeListener): Promise<void> {
    this.listeners.add(listener);
    this.subscribing ??= this.channel.subscribe(
      (ids) => {
        for (const each of this.listeners) each(ids);
      },
      () => {
        for (const each of this.listeners) each(undefined);
      },
    );
    await this.subscribing;
  }

  onModuleDestroy(): void {
    this.listeners.clear();
    this.channel.close();
  }
}
