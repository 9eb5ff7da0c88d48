import { type ChannelOptions, RedisChannel } from './redis-channel.js';
import { type RedisClient } from './redis-client.js';

/** A pub/sub channel of JSON messages (see `RedisChannel`): a message that is not JSON is reported and dropped. */
export class RedisJsonChannel<T> extends RedisChannel<T> {
  constructor(redis: RedisClient, name: readonly string[], options: ChannelOptions) {
    super(
      redis,
      name,
      { encode: (message) => JSON.stringify(message), decode: (text) => JSON.parse(text) as T },
      options,
    );
  }
}
