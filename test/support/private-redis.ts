import { Redis } from 'ioredis';
import { startRedis } from '../../scripts/lib/processes.mjs';
import { tempDir } from './media.js';

export type PrivateRedis = Awaited<ReturnType<typeof startPrivateRedis>>;

/**
 * A redis-server of the test's own, for losing Redis on purpose: `flush()` empties it (a restart
 * without persistence), `replace()` stops it and starts a new, empty one on the same port (a failover
 * to a replica that had not caught up). The shared test Redis is never touched.
 */
export async function startPrivateRedis() {
  let server = await startRedis({ dir: tempDir('sv-private-redis-') });
  const port = server.port;
  return {
    url: server.url,
    async flush(): Promise<void> {
      const client = new Redis(server.url);
      try {
        await client.flushall();
      } finally {
        client.disconnect();
      }
    },
    async replace(): Promise<void> {
      await server.kill();
      server = await startRedis({ dir: tempDir('sv-private-redis-'), port });
    },
    async stop(): Promise<void> {
      await server.stop();
    },
  };
}
