import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { RedisChannel, TEXT_CODEC } from '../../src/core/redis/redis-channel.js';
import { type RedisClient } from '../../src/core/redis/redis-client.js';
import { RedisJsonChannel } from '../../src/core/redis/redis-json-channel.js';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/free-port.js';
import { TEST_REDIS_URL, testRedisClient, uniqueRedisPrefix } from '../support/redis.js';
import { tempDir } from '../support/media.js';
import { startRedis } from '../../scripts/lib/processes.mjs';

interface Note {
  seq: number;
  text: string;
}

/** A logger that keeps what it was told, to assert on. */
function recordingLogger(): { warn: (message: string) => void; warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, warn: (message: string) => warnings.push(message) };
}

/** Collects what a listener hears; `next(n)` resolves once `n` messages in all have arrived. */
function collector<T>() {
  const heard: T[] = [];
  let waiting: { count: number; resolve: () => void } | undefined;
  return {
    heard,
    listener: (message: T) => {
      heard.push(message);
      if (waiting && heard.length >= waiting.count) waiting.resolve();
    },
    next: (count: number) =>
      heard.length >= count
        ? Promise.resolve()
        : new Promise<void>((resolve) => (waiting = { count, resolve })),
  };
}

describe('RedisJsonChannel: typed pub/sub on one subscriber connection per channel object', () => {
  let prefix: string;
  let redis: RedisClient;
  let raw: Redis;

  before(() => {
    prefix = uniqueRedisPrefix();
    redis = testRedisClient(TEST_REDIS_URL, prefix);
    raw = new Redis(TEST_REDIS_URL);
  });
  after(async () => {
    raw?.disconnect();
    await redis?.onApplicationShutdown();
  });

  const subscribers = async (channel: string) => {
    const [, count] = (await raw.pubsub('NUMSUB', channel)) as [string, number];
    return Number(count);
  };

  it('delivers each JSON message, in order, to every listener of every channel object', async () => {
    const here = new RedisJsonChannel<Note>(redis, ['notes', 'a'], { logger: recordingLogger() });
    const there = new RedisJsonChannel<Note>(redis, ['notes', 'a'], { logger: recordingLogger() });
    try {
      const first = collector<Note>();
      const second = collector<Note>();
      const third = collector<Note>();
      await here.subscribe(first.listener);
      await here.subscribe(second.listener);
      await there.subscribe(third.listener);
      assert.equal(here.name, `${prefix}:notes:a`);
      assert.equal(await subscribers(here.name), 2, 'one connection per channel object, not per listener');

      const sent = [1, 2, 3].map((seq) => ({ seq, text: `note ${seq} "quoted" ✓` }));
      for (const note of sent) await there.publish(note);
      await Promise.all([first.next(3), second.next(3), third.next(3)]);
      assert.deepEqual(first.heard, sent);
      assert.deepEqual(second.heard, sent);
      assert.deepEqual(third.heard, sent);
    } finally {
      here.close();
      there.close();
    }
  });

  it('reports a message that is not JSON and drops it; the next good one still arrives', async () => {
    const logger = recordingLogger();
    const channel = new RedisJsonChannel<Note>(redis, ['notes', 'bad'], { logger });
    try {
      const heard = collector<Note>();
      await channel.subscribe(heard.listener);
      await raw.publish(channel.name, '{not json');
      await channel.publish({ seq: 1, text: 'fine' });
      await heard.next(1);
      assert.deepEqual(heard.heard, [{ seq: 1, text: 'fine' }]);
      assert.equal(logger.warnings.length, 1);
      assert.match(logger.warnings[0], new RegExp(`${channel.name}.*\\{not json`));
    } finally {
      channel.close();
    }
  });

  it('stops calling a listener once it unsubscribes, the others carry on', async () => {
    const channel = new RedisJsonChannel<Note>(redis, ['notes', 'unsubscribe'], {
      logger: recordingLogger(),
    });
    try {
      const leaving = collector<Note>();
      const staying = collector<Note>();
      const unsubscribe = await channel.subscribe(leaving.listener);
      await channel.subscribe(staying.listener);
      await channel.publish({ seq: 1, text: 'both' });
      await Promise.all([leaving.next(1), staying.next(1)]);
      unsubscribe();
      await channel.publish({ seq: 2, text: 'one' });
      await staying.next(2);
      assert.deepEqual(
        leaving.heard.map((note) => note.seq),
        [1],
      );
      assert.deepEqual(
        staying.heard.map((note) => note.seq),
        [1, 2],
      );
    } finally {
      channel.close();
    }
  });

  it('close disconnects its subscriber connection, and a later subscribe opens none', async () => {
    const channel = new RedisJsonChannel<Note>(redis, ['notes', 'close'], { logger: recordingLogger() });
    const heard = collector<Note>();
    try {
      await channel.subscribe(heard.listener);
      assert.equal(await subscribers(channel.name), 1);
    } finally {
      channel.close(); // what the test is about; also if the assertion above fails
    }
    await eventually(
      () => subscribers(channel.name),
      (count) => count === 0,
      { what: 'the subscriber connection to close' },
    );
    await channel.subscribe(heard.listener);
    assert.equal(await subscribers(channel.name), 0, 'subscribe after close opened no connection');
  });

  it('a text channel carries strings as they are on the wire', async () => {
    const channel = new RedisChannel(redis, ['ids'], TEXT_CODEC, { logger: recordingLogger() });
    try {
      const heard = collector<string>();
      await channel.subscribe(heard.listener);
      await raw.publish(channel.name, 'task-1');
      await heard.next(1);
      assert.deepEqual(heard.heard, ['task-1']);
    } finally {
      channel.close();
    }
  });

  it('subscribed while Redis is down, hears what is published once Redis is up, after a gap', async () => {
    const port = await freePort();
    const late = testRedisClient(`redis://127.0.0.1:${port}`, prefix);
    const logger = recordingLogger();
    const channel = new RedisJsonChannel<Note>(late, ['notes', 'late'], { logger });
    let server: Awaited<ReturnType<typeof startRedis>> | undefined;
    try {
      const heard = collector<Note>();
      let gaps = 0;
      await channel.subscribe(heard.listener, () => gaps++);
      assert.ok(logger.warnings.some((line) => line.includes('not subscribed yet')));
      assert.equal(channel.live, false);
      server = await startRedis({ dir: tempDir('sv-redis-late-'), port });
      const publisher = new Redis(server.url);
      try {
        // Published until heard: the channel subscribes on its next try, within a few seconds.
        await eventually(
          async () => {
            await publisher.publish(channel.name, JSON.stringify({ seq: 1, text: 'late' }));
            return heard.heard.length;
          },
          (count) => count > 0,
          { what: 'the first message after Redis came up', timeoutMs: 20000 },
        );
        assert.deepEqual(heard.heard[0], { seq: 1, text: 'late' });
        // What was published before it got in never arrived: its listeners are told, once.
        assert.equal(gaps, 1);
        assert.equal(channel.live, true);
      } finally {
        publisher.disconnect();
      }
    } finally {
      channel.close();
      await late.onApplicationShutdown();
      await server?.stop();
    }
  });

  it('is not live while Redis is gone, and tells of the gap once subscribed again', async () => {
    const dir = tempDir('sv-redis-gap-');
    let server = await startRedis({ dir });
    const client = testRedisClient(server.url, prefix);
    const channel = new RedisJsonChannel<Note>(client, ['notes', 'gap'], { logger: recordingLogger() });
    let gaps = 0;
    try {
      const heard = collector<Note>();
      await channel.subscribe(heard.listener, () => gaps++);
      assert.equal(channel.live, true);
      assert.equal(gaps, 0, 'the first subscription is no gap');

      await server.stop();
      await eventually(
        async () => channel.live,
        (live) => !live,
        { what: 'the channel to notice Redis is gone' },
      );
      // Published while this process could not hear: lost, hence the gap.
      server = await startRedis({ dir, port: server.port });
      await eventually(
        async () => gaps,
        (count) => count > 0,
        { what: 'the subscription to come back', timeoutMs: 20000 },
      );
      assert.equal(gaps, 1);
      assert.equal(channel.live, true);
      await channel.publish({ seq: 1, text: 'after the gap' });
      await heard.next(1);
      assert.deepEqual(heard.heard, [{ seq: 1, text: 'after the gap' }]);
    } finally {
      channel.close();
      await client.onApplicationShutdown();
      await server.stop();
    }
    assert.equal(channel.live, false, 'a closed channel is not live');
  });

  it('reports subscriber connection errors unless told to stay quiet', async () => {
    const down = testRedisClient(`redis://127.0.0.1:${await freePort()}`, prefix);
    const loud = recordingLogger();
    const quiet = recordingLogger();
    const loudChannel = new RedisJsonChannel<Note>(down, ['notes', 'down'], { logger: loud });
    const quietChannel = new RedisJsonChannel<Note>(down, ['notes', 'down'], {
      logger: quiet,
      quietErrors: true,
    });
    try {
      // Redis down: each resolves once its first attempt has failed, and keeps trying.
      await loudChannel.subscribe(() => undefined);
      await quietChannel.subscribe(() => undefined);
      assert.ok(loud.warnings.length > 0);
      assert.match(loud.warnings[0], new RegExp(`pub/sub ${prefix}:notes:down: .*ECONNREFUSED`));
      // ioredis keeps reconnecting (every 50–2000 ms), each attempt an error: one line per outage.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const lines = loud.warnings.filter((line) => !line.includes('not subscribed yet'));
      assert.equal(lines.length, 1, lines.join('\n'));
      assert.deepEqual(quiet.warnings, []);
    } finally {
      loudChannel.close();
      quietChannel.close();
      await down.onApplicationShutdown();
    }
  });
});
