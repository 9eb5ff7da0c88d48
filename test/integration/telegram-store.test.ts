import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { MEDIA_STORE, type StoredPart } from '../../src/core/storage/media-store.js';
import { LocationCache } from '../../src/core/storage/telegram/location-cache.js';
import { TelegramMediaStore } from '../../src/core/storage/telegram/telegram-media-store.js';
import { TelegramMetrics } from '../../src/core/storage/telegram/telegram-metrics.js';
import { ContentStore } from '../../src/ingest/processing/content-store.js';
import { parseMessageRef } from '../../src/core/storage/telegram/telegram-gateway.js';
import { type MediaFile } from '../../src/library/schemas/media-file.schema.js';
import { StreamService } from '../../src/stream/stream.service.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { startInProcessApp, type InProcessApp } from '../support/in-process-app.js';
import { storeFile } from '../support/library-fixtures.js';
import { randomFile } from '../support/media.js';
import { TelegramSimulator } from '../support/telegram-simulator.js';

const MiB = 1024 * 1024;
const SIZE = 3 * MiB + 512 * 1024 + 17;

export const TELEGRAM_TEST_ENV = {
  STORAGE: 'telegram',
  TELEGRAM_PART_SIZE: '2',
  TELEGRAM_API_ID: '12345',
  TELEGRAM_API_HASH: '0123456789abcdef0123456789abcdef',
  TELEGRAM_STORAGE_CHANNEL: '-1001234567890',
  TELEGRAM_SESSIONS: 'simulated',
};

async function drain(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('Telegram store against the simulator', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  const telegram = new TelegramSimulator({ sessions: ['s1', 's2', 's3'], latencyMs: 5 });
  let store: TelegramMediaStore;
  let source: Buffer;
  let file: MediaFile;

  /** A second store over its own simulator, sharing the app's location cache and metrics. */
  const storeOver = (simulator: TelegramSimulator) =>
    new TelegramMediaStore(
      server.config,
      simulator,
      server.app.get(LocationCache),
      server.app.get(TelegramMetrics),
    );

  before(async () => {
    db = await startTestDatabase();
    server = await startInProcessApp(
      { MONGODB_URI: db.uri, ROLE: 'all', ...TELEGRAM_TEST_ENV },
      { telegram },
    );
    store = server.app.get(MEDIA_STORE);
    assert.ok(store instanceof TelegramMediaStore);
    const random = randomFile(SIZE);
    source = random.bytes;
    file = await storeFile(server.app, random.path, 'two parts.bin');
  });
  after(async () => {
    await server?.close();
    await db?.stop();
  });

  it('splits a file over the part size into ordered parts', () => {
    assert.deepEqual(
      file.storage.parts.map((p) => p.size),
      [2 * MiB, SIZE - 2 * MiB],
    );
    assert.ok(file.storage.parts.every((p) => parseMessageRef(p.ref)));
  });

  it('resumes an interrupted upload where its stored parts end, even after TELEGRAM_PART_SIZE changed', async () => {
    const withPartSize = (partSize: number) =>
      new TelegramMediaStore(
        { ...server.config, telegram: { ...server.config.telegram, partSize } },
        telegram,
        server.app.get(LocationCache),
        server.app.get(TelegramMetrics),
      );
    const random = randomFile(5 * MiB);
    const done: StoredPart[] = [];
    const crash = new Error('the worker stopped');
    await assert.rejects(
      withPartSize(2 * MiB).put(random.path, 'resumed.bin', {
        onPart: async (part) => {
          done.push(part);
          throw crash;
        },
      }),
      crash,
    );
    // The worker restarts with TELEGRAM_PART_SIZE=1.
    const parts = await withPartSize(MiB).put(random.path, 'resumed.bin', { done });
    assert.deepEqual(
      parts.map((part) => part.size),
      [2 * MiB, MiB, MiB, MiB],
    );
    assert.ok((await drain(store.read(parts, 0, 5 * MiB - 1))).equals(random.bytes));
  });

  it('starts an upload over when the parts stored before cannot be the start of the file', async () => {
    const random = randomFile(3 * MiB);
    const tooLong = { ref: file.storage.parts[0].ref, size: 4 * MiB };
    const parts = await store.put(random.path, 'restarted.bin', { done: [tooLong] });
    assert.deepEqual(
      parts.map((part) => part.size),
      [2 * MiB, MiB],
    );
    assert.ok((await drain(store.read(parts, 0, 3 * MiB - 1))).equals(random.bytes));
  });

  it("deletes the earlier attempt's parts when it starts over, except those a stored file points at", async () => {
    // An earlier attempt stored parts of what the item was then (4 MiB); the item is now 3 MiB.
    const earlier: StoredPart[] = [];
    await store.put(randomFile(4 * MiB).path, 'earlier.bin', {
      onPart: async (part) => void earlier.push(part),
    });
    const filed = file.storage.parts[0];
    const random = randomFile(3 * MiB);
    const { file: stored } = await server.app.get(ContentStore).storeOnce({
      sha256: randomBytes(32).toString('hex'),
      path: random.path,
      name: 'restarted.bin',
      key: 'restart-test-0',
      uploaded: [filed, ...earlier],
      onUploaded: async () => {},
      facts: {
        mime: 'application/octet-stream',
        fileName: 'restarted.bin',
        streams: { video: [], audio: [], subtitles: [] },
        screenshots: [],
        episodes: [],
      },
    });
    for (const part of earlier)
      assert.equal(await store.exists(part), false, `${part.ref} left in the channel`);
    assert.equal(await store.exists(filed), true, 'a part a stored file points at is kept');
    assert.ok((await drain(store.read(file.storage.parts, 0, SIZE - 1))).equals(source));
    assert.ok((await drain(store.read(stored.storage.parts, 0, 3 * MiB - 1))).equals(random.bytes));
  });

  it('resumes an upload that started over from its new parts, not the deleted earlier ones', async () => {
    // An earlier attempt stored parts of what the item was then (5 MiB); the item is now 3 MiB.
    const earlier: StoredPart[] = [];
    await store.put(randomFile(5 * MiB).path, 'earlier.bin', {
      onPart: async (part) => void earlier.push(part),
    });
    const random = randomFile(3 * MiB);
    const sha256 = randomBytes(32).toString('hex');
    // What the item's record holds, as the processors keep it.
    let recorded: StoredPart[] = earlier;
    const attempt = (onUploaded: (parts: StoredPart[]) => Promise<void>) =>
      server.app.get(ContentStore).storeOnce({
        sha256,
        path: random.path,
        name: 'restarted twice.bin',
        key: 'restart-resume-test-0',
        uploaded: recorded,
        onUploaded,
        facts: {
          mime: 'application/octet-stream',
          fileName: 'restarted twice.bin',
          streams: { video: [], audio: [], subtitles: [] },
          screenshots: [],
          episodes: [],
        },
      });
    const crash = new Error('the worker stopped');
    // It starts over, and the worker crashes once the first new part is recorded.
    await assert.rejects(
      attempt(async (parts) => {
        recorded = parts;
        throw crash;
      }),
      crash,
    );
    assert.deepEqual(
      recorded.map((part) => part.size),
      [2 * MiB],
    );
    const [first] = recorded;
    const uploadsBefore = telegram.uploads.length;
    const { file: stored } = await attempt(async (parts) => void (recorded = parts));
    assert.deepEqual(
      stored.storage.parts.map((part) => part.ref),
      [first.ref, recorded[1].ref],
    );
    assert.equal(telegram.uploads.length - uploadsBefore, 1, 'only the part after the first is uploaded');
    assert.ok((await drain(store.read(stored.storage.parts, 0, 3 * MiB - 1))).equals(random.bytes));
  });

  it('still starts over when deleting an earlier part fails (it is only logged)', async () => {
    const simulator = new TelegramSimulator({ sessions: ['s1'], latencyMs: 1 });
    simulator.deleteMessage = async () => {
      throw new Error('CHAT_ADMIN_REQUIRED');
    };
    const random = randomFile(MiB);
    const stale = { ref: 'tg:-1001234567890:1', size: 2 * MiB };
    const parts = await storeOver(simulator).put(random.path, 'undeletable.bin', {
      done: [stale],
      referenced: async () => new Set(),
    });
    assert.ok((await drain(storeOver(simulator).read(parts, 0, MiB - 1))).equals(random.bytes));
  });

  // Without a free session to move to, the upload would sleep out the whole hour: the timeout ends it.
  it('uploads on another session at once when one answers FLOOD_WAIT', { timeout: 30_000 }, async () => {
    const simulator = new TelegramSimulator({ sessions: ['s1', 's2'], latencyMs: 5 });
    simulator.floodWait('s1', 3600);
    const random = randomFile(3 * MiB);
    const parts = await storeOver(simulator).put(random.path, 'flooded upload.bin');
    assert.deepEqual(
      simulator.uploads.map((upload) => upload.session),
      ['s1', 's2', 's2'],
    );
    assert.ok((await drain(storeOver(simulator).read(parts, 0, 3 * MiB - 1))).equals(random.bytes));
  });

  it('serves 200 random ranges over HTTP byte-exact, never breaking a Telegram rule', async () => {
    const signed = server.app
      .get(StreamService)
      .sign(file)
      .url.replace(server.config.http.publicUrl, server.url);
    let seed = 11;
    const next = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let i = 0; i < 200; i++) {
      const start = Math.floor(next() * SIZE);
      const end = Math.min(SIZE - 1, start + Math.floor(next() * (i % 4 === 0 ? 3 * MiB : 300_000)));
      const res = await fetch(signed, { headers: { range: `bytes=${start}-${end}` } });
      assert.equal(res.status, 206);
      assert.ok(
        Buffer.from(await res.arrayBuffer()).equals(source.subarray(start, end + 1)),
        `range ${start}-${end}`,
      );
    }
    const whole = await fetch(signed);
    assert.ok(Buffer.from(await whole.arrayBuffer()).equals(source));
    assert.deepEqual(telegram.violations, []);
  });

  it('keeps a sliding window of requests in flight, never more than STREAM_PREFETCH_BLOCKS', async () => {
    const slow = new TelegramSimulator({ sessions: ['only'], latencyMs: 30 });
    const parts = await Promise.all([0].map(() => slow.uploadFile('only', randomFile(8 * MiB).path)));
    const slowStore = storeOver(slow);
    await drain(
      slowStore.read(
        [{ ref: `tg:${parts[0].message.channelId}:${parts[0].message.messageId}`, size: 8 * MiB }],
        0,
        8 * MiB - 1,
      ),
    );
    assert.equal(slow.maxInFlight, server.config.stream.prefetchBlocks);
    assert.equal(slow.calls.length, 8);
  });

  it('finishes a stream on another session when one answers FLOOD_WAIT', async () => {
    const before = telegram.calls.length;
    for (const session of telegram.sessionIds) if (session !== 's3') telegram.floodWait(session, 30);
    const bytes = await drain(store.read(file.storage.parts, 0, SIZE - 1));
    assert.ok(bytes.equals(source));
    const sessionsUsed = new Set(telegram.callsSince(before).map((c) => c.session));
    assert.ok(sessionsUsed.has('s3'), `used ${[...sessionsUsed].join(',')}`);
    assert.deepEqual(Object.values(store.pool.loads()), [0, 0, 0]);
  });

  it('parks only the session that answered FLOOD_WAIT when a whole window was in flight on it', async () => {
    const simulator = new TelegramSimulator({ sessions: ['s1', 's2', 's3'], latencyMs: 5 });
    const random = randomFile(8 * MiB);
    const uploaded = await simulator.uploadFile('s1', random.path);
    const parts = [{ ref: `tg:${uploaded.message.channelId}:${uploaded.message.messageId}`, size: 8 * MiB }];
    const floodStore = storeOver(simulator);
    await drain(floodStore.read(parts, 0, 10));
    simulator.floodWait('s1', 30);
    // Eight blocks were sent on s1; each FLOOD_WAIT answer comes back after the stream already moved.
    assert.ok((await drain(floodStore.read(parts, 0, 8 * MiB - 1))).equals(random.bytes));
    const before = simulator.calls.length;
    assert.ok((await drain(floodStore.read(parts, 0, 8 * MiB - 1))).equals(random.bytes));
    assert.deepEqual(
      simulator.callsSince(before).map((call) => call.session),
      Array.from({ length: 8 }, () => 's2'),
    );
    assert.deepEqual(floodStore.pool.loads(), { s1: 0, s2: 0, s3: 0 });
  });

  it('refreshes an expired file reference and completes', async () => {
    for (const part of file.storage.parts) telegram.expireReference(parseMessageRef(part.ref)!.messageId);
    const bytes = await drain(store.read(file.storage.parts, MiB - 10, 3 * MiB));
    assert.ok(bytes.equals(source.subarray(MiB - 10, 3 * MiB + 1)));
  });

  it('refreshes an expired reference once for the whole window of blocks that hit it', async () => {
    const simulator = new TelegramSimulator({ sessions: ['only'], latencyMs: 5 });
    const random = randomFile(16 * MiB);
    const uploaded = await simulator.uploadFile('only', random.path);
    const ref = `tg:${uploaded.message.channelId}:${uploaded.message.messageId}`;
    const parts = [{ ref, size: 16 * MiB }];
    const expiring = storeOver(simulator);
    await drain(expiring.read(parts, 0, 10));
    simulator.expireReference(uploaded.message.messageId);
    const lookupsBefore = simulator.locationCalls.length;
    assert.ok((await drain(expiring.read(parts, 0, 16 * MiB - 1))).equals(random.bytes));
    assert.equal(simulator.locationCalls.length - lookupsBefore, 1);
    // The cache keeps the fresh reference for the next stream.
    const fresh = await simulator.getLocation('only', uploaded.message);
    assert.equal((await server.app.get(LocationCache).get(ref))?.fileReference, fresh.fileReference);
  });

  it('moves the stream to another session when the location lookup answers FLOOD_WAIT', async () => {
    const simulator = new TelegramSimulator({ sessions: ['s1', 's2'], latencyMs: 5 });
    const random = randomFile(4 * MiB);
    const uploaded = await simulator.uploadFile('s1', random.path);
    const parts = [{ ref: `tg:${uploaded.message.channelId}:${uploaded.message.messageId}`, size: 4 * MiB }];
    const flooded = storeOver(simulator);
    simulator.floodWait('s1', 30);
    assert.ok((await drain(flooded.read(parts, 0, 4 * MiB - 1))).equals(random.bytes));
    assert.deepEqual(
      simulator.locationCalls.map((call) => call.session),
      ['s1', 's2'],
    );
    assert.deepEqual(flooded.pool.loads(), { s1: 0, s2: 0 });
  });

  it('ends a stream with an error, never a shortened body, when a block in the middle comes back short', async () => {
    const simulator = new TelegramSimulator({ sessions: ['only'], latencyMs: 5 });
    const uploaded = await simulator.uploadFile('only', randomFile(4 * MiB).path);
    const parts = [{ ref: `tg:${uploaded.message.channelId}:${uploaded.message.messageId}`, size: 4 * MiB }];
    simulator.shortenBlock(uploaded.message.messageId, MiB, 1000);
    await assert.rejects(drain(storeOver(simulator).read(parts, 0, 4 * MiB - 1)), /has 1000 bytes/);
  });

  it('issues no GetFile after a stream is aborted', async () => {
    const slow = new TelegramSimulator({ sessions: ['only'], latencyMs: 40 });
    const uploaded = await slow.uploadFile('only', randomFile(10 * MiB).path);
    const slowStore = storeOver(slow);
    const stream = slowStore.read(
      [{ ref: `tg:${uploaded.message.channelId}:${uploaded.message.messageId}`, size: 10 * MiB }],
      0,
      10 * MiB - 1,
    );
    stream.resume();
    await once(stream, 'data');
    stream.destroy();
    const callsAtAbort = slow.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(slow.calls.length, callsAtAbort);
    assert.ok(callsAtAbort < 10);
    assert.deepEqual(slowStore.pool.loads(), { only: 0 });
  });

  it('leaves every pool load at 0 after 1000 aborted streams', async () => {
    const streams = Array.from({ length: 1000 }, (_, i) => {
      const start = (i * 7919) % SIZE;
      const stream = store.read(file.storage.parts, start, SIZE - 1);
      if (i % 3 === 0) stream.destroy();
      else {
        stream.once('data', () => stream.destroy());
        stream.on('error', () => {});
        stream.resume();
      }
      return stream;
    });
    await eventually(
      async () => store.pool.loads(),
      (loads) => Object.values(loads).every((load) => load === 0),
      { timeoutMs: 20000, what: 'all leases released' },
    );
    assert.ok(streams.every((s) => s.destroyed));
    assert.deepEqual(telegram.violations, []);
  });

  it('reports a vanished message as a 502 JSON answer, not a hung socket', async () => {
    const gone = await storeFile(server.app, randomFile(1000).path, 'gone.bin');
    await telegram.deleteMessage('s1', parseMessageRef(gone.storage.parts[0].ref)!);
    const url = server.app
      .get(StreamService)
      .sign(gone)
      .url.replace(server.config.http.publicUrl, server.url);
    const res = await fetch(url);
    assert.equal(res.status, 502);
    assert.equal(((await res.json()) as { error: string }).error, 'storage_missing');
  });
});
