import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BLOCK_SIZE, planBlocks } from '../../src/core/storage/telegram/block-planner.js';

const MiB = BLOCK_SIZE;

describe('block planner', () => {
  it('reads a range inside one block with one trimmed request', () => {
    assert.deepEqual(planBlocks([10 * MiB], 100, 199), [
      { part: 0, offset: 0, limit: MiB, keepStart: 100, keepEnd: 200 },
    ]);
  });

  it('aligns every request to 1 MiB and trims only the first and last block', () => {
    const blocks = planBlocks([10 * MiB], MiB + 5, 3 * MiB + 9);
    assert.deepEqual(
      blocks.map((b) => [b.offset, b.keepStart, b.keepEnd]),
      [
        [MiB, 5, MiB],
        [2 * MiB, 0, MiB],
        [3 * MiB, 0, 10],
      ],
    );
  });

  it('crosses part boundaries, restarting offsets in each part', () => {
    const parts = [MiB + 100, 2 * MiB];
    const blocks = planBlocks(parts, MiB + 50, MiB + 100 + 10);
    assert.deepEqual(blocks, [
      { part: 0, offset: MiB, limit: MiB, keepStart: 50, keepEnd: 100 },
      { part: 1, offset: 0, limit: MiB, keepStart: 0, keepEnd: 11 },
    ]);
  });

  it('keeps exactly the requested number of bytes for any range', () => {
    const parts = [3 * MiB + 777, 2 * MiB + 3];
    const total = parts[0] + parts[1];
    let seed = 3;
    const next = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < 500; i++) {
      const start = Math.floor(next() * total);
      const end = Math.min(total - 1, start + Math.floor(next() * 4 * MiB));
      const blocks = planBlocks(parts, start, end);
      const kept = blocks.reduce((sum, b) => sum + (b.keepEnd - b.keepStart), 0);
      const lastOfPart = (b: (typeof blocks)[number]) => Math.min(b.keepEnd, parts[b.part] - b.offset);
      assert.equal(
        blocks.reduce((sum, b) => sum + (lastOfPart(b) - b.keepStart), 0),
        end - start + 1,
      );
      assert.ok(kept >= end - start + 1);
      for (const b of blocks) {
        assert.equal(b.offset % 4096, 0);
        assert.equal(b.limit % 4096, 0);
        assert.equal((1024 * 1024) % b.limit, 0);
        assert.equal(Math.floor(b.offset / MiB), Math.floor((b.offset + b.limit - 1) / MiB));
      }
    }
  });
});
