import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allowanceMs, InlineFileOps } from '../../src/core/storage/inline-file-ops.js';

/** A gate on a clock the test moves: `during` is how long each operation "takes". */
function gateOnClock(backoffMs: number) {
  let now = 1000;
  const gate = new InlineFileOps(backoffMs, () => now);
  return {
    gate,
    advance: (ms: number) => (now += ms),
    operation:
      (takesMs: number, value = 'bytes') =>
      () => {
        now += takesMs;
        return value;
      },
  };
}

describe("InlineFileOps (a stream's first open and read on the event loop, while the disk is fast)", () => {
  it('allows operations on the loop while each takes what a page-cache copy takes', () => {
    const { gate, operation } = gateOnClock(30_000);
    assert.equal(gate.allowed, true);
    assert.equal(gate.run(64 * 1024, operation(0.2)), 'bytes');
    assert.equal(gate.run(0, operation(0.9)), 'bytes');
    assert.equal(gate.allowed, true);
    assert.equal(gate.slowOperations, 0);
  });

  it('sends them to the thread pool for the back-off after one slow operation, then tries again', () => {
    const { gate, operation, advance } = gateOnClock(30_000);
    // A spinning disk's seek: the result still counts, but the next ones go to the pool.
    assert.equal(gate.run(32 * 1024, operation(8)), 'bytes');
    assert.equal(gate.allowed, false);
    assert.equal(gate.slowOperations, 1);
    advance(29_999);
    assert.equal(gate.allowed, false);
    advance(1);
    assert.equal(gate.allowed, true);
  });

  it('judges an operation that throws by its time too, and lets the error through', () => {
    const { gate, advance } = gateOnClock(5_000);
    const failing = () => {
      advance(50); // a network mount timing out
      throw new Error('EIO');
    };
    assert.throws(() => gate.run(0, failing), /EIO/);
    assert.equal(gate.allowed, false);
  });

  it('allows more time for more bytes: 1 ms, plus 1 ms per MiB', () => {
    assert.equal(allowanceMs(0), 1);
    assert.equal(allowanceMs(1024 * 1024), 2);
    const { gate, operation } = gateOnClock(30_000);
    gate.run(1024 * 1024, operation(1.5));
    assert.equal(gate.allowed, true);
    gate.run(64 * 1024, operation(1.5));
    assert.equal(gate.allowed, false);
  });
});
