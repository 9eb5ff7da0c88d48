import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { describe, it } from 'node:test';
import {
  CHUNK_BUDGET_BYTES,
  LocalRangeReader,
  MIN_CHUNK_BYTES,
  SHORT_RANGE_BUDGET_BYTES,
  type LocalIo,
  type LocalSlice,
} from '../../src/core/storage/local-range-reader.js';
import { InlineFileOps } from '../../src/core/storage/inline-file-ops.js';
import { StorageUnavailableError, StoredObjectMissingError } from '../../src/core/storage/media-store.js';
import { localFiles, OpenFiles } from '../../src/core/storage/open-files.js';
import { ReadQueue } from '../../src/core/storage/read-queue.js';
import { eventually } from '../support/eventually.js';
import { randomFile, tempDir } from '../support/media.js';
import { occupyThreadPool } from '../support/thread-pool.js';

const MiB = 1024 * 1024;
const openFds = () => readdirSync('/proc/self/fd').length;

async function readAll(reader: LocalRangeReader): Promise<{ bytes: Buffer; chunks: number[] }> {
  const chunks: Buffer[] = [];
  for await (const chunk of reader) chunks.push(chunk as Buffer);
  return { bytes: Buffer.concat(chunks), chunks: chunks.map((chunk) => chunk.length) };
}

/**
 * A reader's own opens and reads (not the shared ones the other tests' files stay open in), with a
 * gate on a clock that stands still (every operation is fast) or one a slow operation has closed.
 */
function ownIo(gate: 'open' | 'closed'): LocalIo & { pooled: () => number } {
  let now = 0;
  const inline = new InlineFileOps(30_000, 30_000, () => now);
  if (gate === 'closed') inline.run(0, () => (now += 50));
  const reads = new ReadQueue(4);
  let pooled = 0;
  const run = reads.run.bind(reads);
  reads.run = (first, job) => {
    pooled++;
    run(first, job);
  };
  return { files: new OpenFiles(1000, reads, inline), reads, inline, pooled: () => pooled };
}

describe('LocalRangeReader (the local store byte path)', () => {
  const dir = tempDir('sv-range-reader-');
  const a = randomFile(3 * MiB + 17, tempDir('sv-range-a-'));
  const b = randomFile(MiB + 5, dir);
  const slice = (file: { path: string }, from: number, to: number): LocalSlice => ({
    path: file.path,
    ref: file.path,
    from,
    to,
  });

  it('returns exactly the bytes of each slice, in order, across files', async () => {
    const { bytes } = await readAll(
      new LocalRangeReader([slice(a, 10, 3 * MiB + 16), slice(b, 0, 99), slice(b, MiB, MiB + 4)]),
    );
    const expected = Buffer.concat([
      a.bytes.subarray(10),
      b.bytes.subarray(0, 100),
      b.bytes.subarray(MiB, MiB + 5),
    ]);
    assert.ok(bytes.equals(expected));
  });

  it('reads a single byte and a range that is one chunk long', async () => {
    assert.ok((await readAll(new LocalRangeReader([slice(a, 5, 5)]))).bytes.equals(a.bytes.subarray(5, 6)));
    const chunk = await readAll(new LocalRangeReader([slice(a, 0, MIN_CHUNK_BYTES - 1)]));
    assert.deepEqual(chunk.chunks, [MIN_CHUNK_BYTES]);
  });

  it('never reads more than 1 MiB at once, and starts small', async () => {
    const { chunks } = await readAll(new LocalRangeReader([slice(a, 0, 3 * MiB + 16)]));
    assert.equal(chunks[0], MIN_CHUNK_BYTES);
    assert.equal(MIN_CHUNK_BYTES, 32 * 1024);
    assert.ok(Math.max(...chunks) <= MiB);
    assert.equal(
      chunks.reduce((sum, size) => sum + size, 0),
      3 * MiB + 17,
    );
  });

  it('reads a short range (at most 1 MiB) at once, in a buffer that fits it', async () => {
    const whole = await readAll(new LocalRangeReader([slice(a, 100, 100 + MiB - 1)]));
    assert.deepEqual(whole.chunks, [MiB]);
    assert.ok(whole.bytes.equals(a.bytes.subarray(100, 100 + MiB)));
    const part = await readAll(new LocalRangeReader([slice(a, 7, 7 + 300 * 1024 - 1)]));
    assert.deepEqual(part.chunks, [300 * 1024]);
    // Across two files it is still one short range: each slice in one read.
    const across = await readAll(new LocalRangeReader([slice(a, 3 * MiB, 3 * MiB + 16), slice(b, 0, 99)]));
    assert.deepEqual(across.chunks, [17, 100]);
  });

  it('fails with StoredObjectMissingError when the file is gone', async () => {
    const reader = new LocalRangeReader([slice({ path: join(dir, 'nope.bin') }, 0, 10)]);
    await assert.rejects(readAll(reader), StoredObjectMissingError);
  });

  it('gives its file back when the consumer stops half-way or it reaches the end; closed a moment later', async () => {
    const before = openFds();
    const reader = new LocalRangeReader([slice(a, 0, 3 * MiB + 16)]);
    for await (const _chunk of reader) break; // the consumer goes away after one chunk
    await finished(reader).catch(() => undefined);
    await readAll(new LocalRangeReader([slice(b, 0, MiB + 4)]));
    // A close is an fs call of its own, finishing a little after the stream does.
    await eventually(
      async () => openFds(),
      (count) => count === before,
      { what: 'the files closed' },
    );
  });

  it('shares a memory budget: with many streams open, each reads at most its share', async () => {
    assert.equal(LocalRangeReader.chunkCap(), MiB);

    // 64 streams open (say, a download tool's connections): a share of 128 KiB each.
    const others = Array.from({ length: 63 }, () => new LocalRangeReader([slice(b, 0, 10)]));
    const crowded = new LocalRangeReader([slice(a, 0, 3 * MiB + 16)]);
    assert.equal(CHUNK_BUDGET_BYTES / 64, 128 * 1024);
    assert.equal(LocalRangeReader.chunkCap(), 128 * 1024);
    const read = await readAll(crowded);
    assert.ok(read.bytes.equals(a.bytes));
    assert.ok(Math.max(...read.chunks) <= 128 * 1024);

    // 500 streams (a share of 16 KiB): every chunk at the 32 KiB floor.
    const many = Array.from({ length: 437 }, () => new LocalRangeReader([slice(b, 0, 10)]));
    assert.equal(LocalRangeReader.chunkCap(), MIN_CHUNK_BYTES);
    const floor = await readAll(new LocalRangeReader([slice(a, 0, 3 * MiB + 16)]));
    assert.deepEqual(new Set(floor.chunks.slice(0, -1)), new Set([MIN_CHUNK_BYTES]));
    // A short range has a budget of its own (it holds at most its length): a share of 64 KiB here.
    assert.equal(LocalRangeReader.chunkCap(SHORT_RANGE_BUDGET_BYTES), 64 * 1024);
    const short = await readAll(new LocalRangeReader([slice(a, 0, MiB - 1)]));
    assert.deepEqual(new Set(short.chunks), new Set([64 * 1024]));

    // Destroyed streams (an ended one destroys itself) give their share back.
    for (const reader of [...others, ...many]) reader.destroy();
    assert.equal(LocalRangeReader.chunkCap(), MiB);
  });

  it('streams of one file share its descriptor, which outlives them by a moment', async () => {
    const fresh = randomFile(MiB, tempDir('sv-range-shared-'));
    // The files of the tests above close a moment after their last use: start from none open.
    await eventually(
      async () => localFiles.size,
      (size) => size === 0,
      { what: 'earlier files closed' },
    );
    const before = openFds();
    const one = new LocalRangeReader([slice(fresh, 0, MiB - 1)]);
    const two = new LocalRangeReader([slice(fresh, 1000, 1999)]);
    const [first, second] = await Promise.all([readAll(one), readAll(two)]);
    assert.ok(first.bytes.equals(fresh.bytes));
    assert.ok(second.bytes.equals(fresh.bytes.subarray(1000, 2000)));
    assert.equal(openFds(), before + 1); // one descriptor for both, still open for the next seek
    const seek = await readAll(new LocalRangeReader([slice(fresh, 5, 9)]));
    assert.ok(seek.bytes.equals(fresh.bytes.subarray(5, 10)));
    assert.equal(openFds(), before + 1);
    await eventually(
      async () => [openFds(), localFiles.size],
      ([count, size]) => count === before && size === 0,
      { what: 'the idle descriptor closed' },
    );
  });

  it("opens a seek's file and reads its first bytes on the loop, even while libuv's pool is busy", async () => {
    const file = randomFile(3 * MiB, tempDir('sv-range-inline-'));
    const pool = occupyThreadPool();
    const io = ownIo('open');
    let reader: LocalRangeReader | undefined;
    try {
      reader = new LocalRangeReader([slice(file, 1000, 3 * MiB - 1)], io);
      // Bounded, so that a read stuck behind the pool fails the test instead of hanging it.
      const [first] = (await once(reader, 'data', { signal: AbortSignal.timeout(5000) })) as [Buffer];
      assert.ok(first.equals(file.bytes.subarray(1000, 1000 + MIN_CHUNK_BYTES)));
    } finally {
      reader?.pause();
      await pool.release();
    }
    // The rest went through the pool (where the copies of many streams spread over the cores).
    const rest: Buffer[] = [];
    reader.on('data', (chunk: Buffer) => rest.push(chunk));
    reader.resume();
    await finished(reader);
    assert.equal(Buffer.concat(rest).length, 3 * MiB - 1000 - MIN_CHUNK_BYTES);
    assert.ok(io.pooled() >= rest.length, `${io.pooled()} reads through the pool for ${rest.length} chunks`);
  });

  it('after a slow disk operation, opens and first reads wait for the pool like any other', async () => {
    const file = randomFile(MiB, tempDir('sv-range-pooled-'));
    const pool = occupyThreadPool();
    let read: Promise<{ bytes: Buffer }> | undefined;
    try {
      read = readAll(new LocalRangeReader([slice(file, 0, 65535)], ownIo('closed')));
      let arrived = false;
      void read.then(() => (arrived = true)).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(arrived, false, 'read while every pool thread was busy');
    } finally {
      // Released whatever happened: a pool left blocked would hang every later test of this file.
      await pool.release();
    }
    assert.ok((await read).bytes.equals(file.bytes.subarray(0, 65536)));
  });

  for (const gate of ['open', 'closed'] as const) {
    it(`fails a first read that finds the file shorter than recorded (gate ${gate}), without a 'ready' before it`, async () => {
      const file = randomFile(1000, tempDir('sv-range-short-'));
      const reader = new LocalRangeReader([slice(file, 2000, 2999)], ownIo(gate));
      // 'ready' tells a response its status line may go out: it must not come before a failure the
      // response can still answer cleanly, when the open and the read happen in one go.
      let ready = false;
      reader.once('ready', () => (ready = true));
      await assert.rejects(readAll(reader), StorageUnavailableError);
      assert.equal(ready, gate === 'closed');
    });
  }

  it("judges a first read afresh when it waited for another stream's open and the gate closed meanwhile", async () => {
    const file = randomFile(MiB, tempDir('sv-range-waited-'));
    let now = 0;
    const inline = new InlineFileOps(30_000, 30_000, () => now);
    const reads = new ReadQueue(4);
    const io: LocalIo = { files: new OpenFiles(1000, reads, inline), reads, inline };
    const slow = () => inline.run(0, () => (now += 50));

    slow(); // closed: the first stream opens the file through the pool
    const first = new LocalRangeReader([slice(file, 0, 999)], io);
    first.read(0);
    now += 30_000; // open again: the second decides to read on the loop, and waits for that open
    const second = new LocalRangeReader([slice(file, 1000, 1999)], io);
    let ready = false;
    second.once('ready', () => (ready = true));
    second.read(0);
    slow(); // closed before the open lands
    const [a, b] = await Promise.all([readAll(first), readAll(second)]);
    assert.ok(a.bytes.equals(file.bytes.subarray(0, 1000)));
    assert.ok(b.bytes.equals(file.bytes.subarray(1000, 2000)));
    // Its first read went through the pool after all, announced by 'ready' as pooled reads are.
    assert.equal(ready, true);
  });
});
