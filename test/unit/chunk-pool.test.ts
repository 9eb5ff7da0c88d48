import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChunkPool } from '../../src/core/storage/chunk-pool.js';

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
});
