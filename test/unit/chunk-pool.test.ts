import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChunkPool } from '../../src/core/storage/chunk-pool.js';
import { eventually } from '../support/eventually.js';

const KiB = 1024;

describe('ChunkPool (read buffers lent to streams and taken back)', () => {
  it('gives a returned buffer to the next taker of its size, slices included', () => {
    const pool = new ChunkPool(1024 * KiB);
    const first = pool.take(64 * KiB);
    assert.equal(first.length, 64 * KiB);
    pool.give(first.subarray(0, 100)); // a short last chunk is a slice of the pooled buffer
    assert.equal(pool.idleByteCount, 64 * KiB);
    const again = pool.take(64 * KiB);
    assert.equal(again.buffer, first.buffer);
    assert.equal(pool.idleByteCount, 0);
    assert.notEqual(pool.take(128 * KiB).buffer, first.buffer); // another size: a new buffer
  });

  it('ignores buffers it did not make, and a buffer given back twice', () => {
    const pool = new ChunkPool(1024 * KiB);
    pool.give(Buffer.alloc(64 * KiB));
    assert.equal(pool.idleByteCount, 0);
    const lent = pool.take(64 * KiB);
    pool.give(lent);
    pool.give(lent);
    assert.equal(pool.idleByteCount, 64 * KiB);
    assert.notEqual(pool.take(64 * KiB).buffer, pool.take(64 * KiB).buffer);
  });

  it('keeps at most its idle limit; the rest goes back to the allocator', () => {
    const pool = new ChunkPool(256 * KiB);
    const buffers = Array.from({ length: 4 }, () => pool.take(128 * KiB));
    for (const buffer of buffers) pool.give(buffer);
    assert.equal(pool.idleByteCount, 256 * KiB);
  });

  it('when full, makes room for the size coming back by letting go of idle buffers of other sizes', () => {
    const pool = new ChunkPool(256 * KiB);
    const large = [pool.take(128 * KiB), pool.take(128 * KiB)];
    const small = Array.from({ length: 4 }, () => pool.take(64 * KiB));
    for (const buffer of large) pool.give(buffer);
    assert.equal(pool.idleByteCount, 256 * KiB);
    for (const buffer of small) pool.give(buffer);
    assert.equal(pool.idleByteCount, 256 * KiB);
    const taken = Array.from({ length: 4 }, () => pool.take(64 * KiB).buffer);
    assert.deepEqual(new Set(taken), new Set(small.map((buffer) => buffer.buffer)));
    assert.equal(pool.idleByteCount, 0); // the 128 KiB ones were let go
    assert.ok(!large.some((buffer) => buffer.buffer === pool.take(128 * KiB).buffer));
  });

  it('never keeps a buffer larger than its idle limit', () => {
    const pool = new ChunkPool(64 * KiB);
    pool.give(pool.take(32 * KiB));
    pool.give(pool.take(128 * KiB));
    assert.equal(pool.idleByteCount, 32 * KiB);
  });
});

describe('ChunkPool trimming (keeps what streams use, not what a burst left)', () => {
  it('lets go of buffers nobody took between two trims', () => {
    const pool = new ChunkPool(1024 * KiB);
    const burst = Array.from({ length: 4 }, () => pool.take(64 * KiB));
    for (const buffer of burst) pool.give(buffer);
    pool.trim(); // the period in which they came back: nothing was idle all through it
    assert.equal(pool.idleByteCount, 256 * KiB);
    pool.trim(); // a whole period with all four idle
    assert.equal(pool.idleByteCount, 0);
  });

  it('keeps as many as streams took meanwhile', () => {
    const pool = new ChunkPool(1024 * KiB);
    const burst = Array.from({ length: 4 }, () => pool.take(64 * KiB));
    for (const buffer of burst) pool.give(buffer);
    pool.trim();
    // Two streams at work: each takes a buffer and gives it back, again and again.
    for (let round = 0; round < 3; round++) {
      const inUse = [pool.take(64 * KiB), pool.take(64 * KiB)];
      for (const buffer of inUse) pool.give(buffer);
    }
    pool.trim();
    assert.equal(pool.idleByteCount, 128 * KiB);
    const kept = pool.take(64 * KiB).buffer;
    assert.ok(burst.some((buffer) => buffer.buffer === kept)); // the ones kept are the pool's own
  });

  it('trims on its own interval', async () => {
    const pool = new ChunkPool(1024 * KiB, 20);
    pool.give(pool.take(64 * KiB));
    await eventually(
      async () => pool.idleByteCount,
      (idle) => idle === 0,
      { what: 'two trims on the pool’s interval' },
    );
  });
});
