import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type PlannedBlock } from '../../src/core/storage/telegram/block-planner.js';
import { PrefetchReader } from '../../src/core/storage/telegram/prefetch-reader.js';

/** Blocks of one byte each (block i holds the byte i), fetched by hand: the test decides what lands. */
function harness(count: number, window: number) {
  const blocks: PlannedBlock[] = Array.from({ length: count }, (_, i) => ({
    part: 0,
    offset: i,
    limit: 1,
    keepStart: 0,
    keepEnd: 1,
  }));
  const requests = new Map<number, { land: () => void; signal: AbortSignal }>();
  let inFlight = 0;
  let peakHeld = 0;
  const landed = new Set<number>();
  const reader = new PrefetchReader(
    blocks,
    (block, signal) =>
      new Promise<Buffer>((resolve) => {
        inFlight++;
        requests.set(block.offset, {
          signal,
          land: () => {
            inFlight--;
            landed.add(block.offset);
            resolve(Buffer.from([block.offset]));
          },
        });
        peakHeld = Math.max(peakHeld, requests.size);
      }),
    window,
  );
  const land = async (index: number) => {
    requests.get(index)!.land();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return {
    reader,
    land,
    requested: () => [...requests.keys()],
    inFlight: () => inFlight,
    landed: (index: number) => landed.has(index),
    peakHeld: () => peakHeld,
    signal: (index: number) => requests.get(index)!.signal,
  };
}

describe('PrefetchReader (the Telegram engine window)', () => {
  it('keeps the window full when later blocks land before the one the reader waits for', async () => {
    const { reader, land, requested, inFlight } = harness(20, 4);
    reader.resume();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(requested(), [0, 1, 2, 3]);
    // Block 0 is slow; 1, 2 and 3 land: each frees a slot at once.
    await land(1);
    await land(2);
    await land(3);
    assert.deepEqual(requested(), [0, 1, 2, 3, 4, 5, 6]);
    assert.equal(inFlight(), 4);
    reader.destroy();
  });

  it('delivers bytes in block order whatever order they land in', async () => {
    const { reader, land, requested } = harness(12, 3);
    const received: number[] = [];
    reader.on('data', (chunk: Buffer) => received.push(...chunk));
    const done = new Promise((resolve) => reader.once('end', resolve));
    const order = [2, 1, 0, 5, 3, 4, 8, 6, 7, 11, 9, 10];
    for (const index of order) {
      while (!requested().includes(index)) await new Promise((resolve) => setImmediate(resolve));
      await land(index);
    }
    await done;
    assert.deepEqual(received, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('holds at most twice the window (landed but unread, plus in flight) while the reader is paused', async () => {
    const { reader, land, landed, requested, peakHeld } = harness(40, 4);
    reader.pause();
    reader.read(0); // asks once, then reads nothing more
    for (let round = 0; round < 10; round++) {
      for (const index of requested()) if (!landed(index)) await land(index);
    }
    // The one block pushed to the paused reader's buffer, then twice the window.
    assert.equal(requested().length, 1 + 8);
    assert.equal(peakHeld(), 9);
    reader.destroy();
  });

  it('aborts every request in flight when destroyed', async () => {
    const { reader, signal } = harness(10, 3);
    reader.resume();
    await new Promise((resolve) => setImmediate(resolve));
    reader.destroy();
    assert.deepEqual(
      [0, 1, 2].map((index) => signal(index).aborted),
      [true, true, true],
    );
  });
});
