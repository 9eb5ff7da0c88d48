import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { type Redis } from 'ioredis';
import { type Types } from 'mongoose';
import { RedisClient } from '../core/redis/redis-client.js';

/** Told the ids of files whose records changed or went; `undefined` means "forget everything". */
export type FileChangeListener = (fileIds: readonly string[] | undefined) => void;

/**
 * Tells every process that a file record was deleted or renamed, over Redis pub/sub, so caches of
 * file records (the streamer's) drop it at once instead of serving it until their entries expire.
 * Listeners in this process hear a change before `publish` returns; other processes hear it from
 * Redis. While the subscription is down a listener cannot trust what it kept, so it is told to forget
 * everything when the subscription comes back, and `live` says whether caching is safe meanwhile.
 */
@Injectable()
export class FileChangeBus implements OnModuleDestroy {
  private readonly logger = new Logger('library');
  private readonly listeners = new Set<FileChangeListener>();
  private subscriber?: Redis;
  private subscribed = false;

  constructor(private readonly redis: RedisClient) {}

  private get channel(): string {
    return this.redis.key('library', 'file-changed');
  }

  /** True while changes published anywhere reach this process's listeners. */
  get live(): boolean {
    return this.subscribed;
  }

  async publish(fileIds: readonly (Types.ObjectId | string)[]): Promise<void> {
    if (fileIds.length === 0) return;
    const ids = fileIds.map(String);
    for (const listener of this.listeners) listener(ids);
    await this.redis.client.publish(this.channel, ids.join(','));
  }

  /** Calls `listener` with every change from now on; resolves once the subscription is live. */
  async listen(listener: FileChangeListener): Promise<void> {
    this.listeners.add(listener);
    if (this.subscriber) return;
    const subscriber = this.redis.client.duplicate({ keyPrefix: '' });
    this.subscriber = subscriber;
    subscriber.on('message', (_channel: string, message: string) => {
      const ids = message.split(',');
      for (const each of this.listeners) each(ids);
    });
    subscriber.on('error', (error: Error) => {
      if (this.subscribed) this.logger.warn(`file change subscription lost: ${error.message}`);
      this.subscribed = false;
    });
    subscriber.on('close', () => (this.subscribed = false));
    // After a reconnect, changes in between were missed: once subscribed again (ioredis does it too;
    // a second SUBSCRIBE is harmless and tells us when it took), everything kept is suspect.
    subscriber.on('ready', () => {
      if (this.subscribed || this.subscriber !== subscriber) return;
      subscriber.subscribe(this.channel).then(
        () => {
          for (const each of this.listeners) each(undefined);
          this.subscribed = this.subscriber === subscriber;
        },
        () => undefined,
      );
    });
    await subscriber.subscribe(this.channel);
    this.subscribed = true;
  }

  onModuleDestroy(): void {
    this.listeners.clear();
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    this.subscribed = false;
    subscriber?.disconnect();
  }
}
