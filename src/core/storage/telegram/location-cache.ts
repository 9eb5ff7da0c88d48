import { Injectable } from '@nestjs/common';
import { RedisClient } from '../../redis/redis-client.js';
import { type FileLocation } from './telegram-gateway.js';

/** File references outlive this comfortably; an expired one is refreshed on FILE_REFERENCE_EXPIRED anyway. */
const TTL_SECONDS = 3600;

/** message → file location, shared by every streamer, so a seek does not refetch the message. */
@Injectable()
export class LocationCache {
  constructor(private readonly redis: RedisClient) {}

  async get(ref: string): Promise<FileLocation | undefined> {
    const cached = await this.redis.client.get(`tgloc:${ref}`);
    return cached ? (JSON.parse(cached) as FileLocation) : undefined;
  }

  async set(ref: string, location: FileLocation): Promise<void> {
    await this.redis.client.set(`tgloc:${ref}`, JSON.stringify(location), 'EX', TTL_SECONDS);
  }

  async forget(ref: string): Promise<void> {
    await this.redis.client.del(`tgloc:${ref}`);
  }
}
