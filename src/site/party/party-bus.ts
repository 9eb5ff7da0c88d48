import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { RedisClient } from '../../core/redis/redis-client.js';
import { RedisJsonChannel } from '../../core/redis/redis-json-channel.js';

/** What one manager tells every manager about a room; each passes it to its own sockets in that room. */
export interface PartyEvent {
  room: string;
  event: 'state' | 'members' | 'chat' | 'notice';
  data: unknown;
}

/**
 * Room fan-out over Redis pub/sub: one channel, one subscriber connection per manager. Every event goes
 * through Redis, the sender's own manager included, so all members see events in the same order.
 */
@Injectable()
export class PartyBus extends RedisJsonChannel<PartyEvent> implements OnModuleDestroy {
  constructor(redis: RedisClient) {
    super(redis, ['party', 'events'], { logger: new Logger('party') });
  }

  onModuleDestroy(): void {
    this.close();
  }
}
