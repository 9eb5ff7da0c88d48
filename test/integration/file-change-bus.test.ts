import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startRedis } from '../../scripts/lib/processes.mjs';
import { FileChangeBus } from '../../src/library/file-change.bus.js';
import { eventually } from '../support/eventually.js';
import { tempDir } from '../support/media.js';
import { testRedisClient, uniqueRedisPrefix } from '../support/redis.js';

describe('the file change bus between two processes of one install', () => {
  it('tells the other process which files changed, and to forget everything after Redis was lost', async () => {
    const dir = tempDir('sv-redis-file-changes-');
    let server = await startRedis({ dir });
    const prefix = uniqueRedisPrefix();
    const [managerRedis, streamerRedis] = [
      testRedisClient(server.url, prefix),
      testRedisClient(server.url, prefix),
    ];
    const manager = new FileChangeBus(managerRedis);
    const streamer = new FileChangeBus(streamerRedis);
    const heard: (readonly string[] | undefined)[] = [];
    try {
      await streamer.listen((ids) => heard.push(ids));
      assert.equal(streamer.live, true);

      await manager.publish(['6b1300000000000000000001', '6b1300000000000000000002']);
      await eventually(
        async () => heard.length,
        (count) => count === 1,
        { what: 'the change' },
      );
      assert.deepEqual(heard, [['6b1300000000000000000001', '6b1300000000000000000002']]);

      await server.stop();
      await eventually(
        async () => streamer.live,
        (live) => !live,
        { what: 'the streamer to lose Redis' },
      );
      server = await startRedis({ dir, port: server.port });
      await eventually(
        async () => heard.length,
        (count) => count === 2,
        {
          what: 'the streamer to be told to forget everything',
          timeoutMs: 20000,
        },
      );
      assert.equal(heard[1], undefined);
      assert.equal(streamer.live, true, 'caching is safe again once told');
      await manager.publish(['6b1300000000000000000003']);
      await eventually(
        async () => heard.length,
        (count) => count === 3,
        { what: 'the next change' },
      );
      assert.deepEqual(heard[2], ['6b1300000000000000000003']);
    } finally {
      manager.onModuleDestroy();
      streamer.onModuleDestroy();
      await managerRedis.onApplicationShutdown();
      await streamerRedis.onApplicationShutdown();
      await server.stop();
    }
  });
});
