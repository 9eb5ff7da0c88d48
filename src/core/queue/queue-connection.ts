import { type ConnectionOptions } from 'bullmq';
import { type AppConfig } from '../config/app-config.js';

/** BullMQ keeps its own connections; they share the server and the install's key prefix. */
export function queueConnection(config: AppConfig): { connection: ConnectionOptions; prefix: string } {
  const url = new URL(config.redis.url);
  return {
    connection: {
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port || 6379),
      username: url.username ? decodeURIComponent(url.username) : undefined,
      password: url.password ? decodeURIComponent(url.password) : undefined,
      db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
      tls: url.protocol === 'rediss:' ? {} : undefined,
      maxRetriesPerRequest: null,
    },
    prefix: `${config.redis.prefix}:bull`,
  };
}
