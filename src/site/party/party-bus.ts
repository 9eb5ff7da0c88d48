import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { type Redis } from 'ioredis';
import { RedisClient } from '../../core/redis/redis-client.js';

/** What one manager tells every manager about a room; each passes it to its own sockets in that room. */
export interface PartyEvent {
  room: string;
  event: 'state' | 'members' | 'chat' | 'notice';
  data: unknown;
}

type Listener = (event: PartyEvent) => void;

const CHANNEL = ['party', 'events'];

/**
 * Room fan-out over Redis pub/sub: one channel, one subscriber connection per manager. Every event goes
 * through Redis, the sender's own manager included, so all members see events in the same order.
 */
@Injectable()
export class PartyBus implements OnModuleDestroy {
  private readonly logger = new Logger('party');
  private readonly listeners = new Set<Listener>();
  private subscriber?: Promise<Redis>;

  constructor(private readonly redis: RedisClient) {}

  async publish(event: PartyEvent): Promise<void> {
    await this.redis.client.publish(this.redis.key(...CHANNEL), JSON.stringify(event));
  }

  /** Calls `listener` with every event until the returned function is called. */
  async subscribe(listener: Listener): Promise<() => void> {
    await this.connect();
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private connect(): Promise<Redis> {
    this.subscriber ??= (async () => {
      const subscriber = this.redis.client.duplicate({ keyPrefix: '' });
      subscriber.on('message', (_channel: string, json: string) => {
        let event: PartyEvent;
        try {
          event = JSON.parse(json) as PartyEvent;
        } catch {
          return;
        }
        for (const listener of this.listeners) listener(event);
      });
      subscriber.on('error', (error: Error) => this.logger.warn(`party pub/sub: ${error.message}`));
      await subscriber.subscribe(this.redis.key(...CHANNEL));
      return subscriber;
    })();
    return this.subscriber;
  }

  async onModuleDestroy(): Promise<void> {
    this.listeners.clear();
    if (this.subscriber) (await this.subscriber).disconnect();
  }
}
