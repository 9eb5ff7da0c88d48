import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allowanceMs, InlineFileOps } from '../../src/core/storage/inline-file-ops.js';
import { readsOnLoop } from '../../src/core/storage/local-filesystems.js';

/** A gate on a clock the test moves; `operation(ms)` is an fs call that takes that long. */
function gateOnClock(backoffMs: number, maxBackoffMs = backoffMs * 8) {
  let now = 1000;
  const gate = new InlineFileOps(backoffMs, maxBackoffMs, () => now);
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
    assert.equal(gate.backoffs, 0);
  });

  it('sends them to the thread pool for the back-off after one operation far past its allowance, then tries again', () => {
    const { gate, operation, advance } = gateOnClock(30_000);
    // A spinning disk's seek (8 ms, over 5 times the 1.125 ms allowed): the result still counts, but
    // the next ones go to the pool.
    assert.equal(gate.run(32 * 1024, operation(8)), 'bytes');
    assert.equal(gate.allowed, false);
    assert.equal(gate.backoffs, 1);
    advance(29_999);
    assert.equal(gate.allowed, false);
    advance(1);
    assert.equal(gate.allowed, true);
  });

  it('takes operations just past their allowance (a pre-empted copy) as slow only when five come within 10 s', () => {
    const { gate, operation, advance } = gateOnClock(30_000);
    for (let i = 0; i < 4; i++) {
      gate.run(64 * 1024, operation(2));
      advance(3_000);
    }
    // The first has left the window: four in the last 10 s.
    gate.run(64 * 1024, operation(2));
    assert.equal(gate.allowed, true);
    assert.equal(gate.backoffs, 0);
    advance(500);
    gate.run(64 * 1024, operation(2)); // five within 10 s: the disk, not the scheduler
    assert.equal(gate.allowed, false);
    assert.equal(gate.backoffs, 1);
  });

  it('doubles the back-off while it closes again within a back-off of reopening, up to its limit; open longer, it starts over', () => {
    const { gate, operation, advance } = gateOnClock(30_000, 200_000);
    const closedFor = () => {
      let waited = 0;
      while (!gate.allowed) {
        advance(1000);
        waited += 1000;
      }
      return waited;
    };
    gate.run(0, operation(8));
    assert.equal(closedFor(), 30_000);
    // Each time a stream's open (the inode cached: fast) and then its read (the disk asleep: slow).
    for (const expected of [60_000, 120_000, 200_000, 200_000]) {
      gate.run(0, operation(0.1));
      gate.run(64 * 1024, operation(8));
      assert.equal(closedFor(), expected);
    }
    advance(500_000); // fast for longer than a back-off
    gate.run(0, operation(8));
    assert.equal(closedFor(), 30_000);
    assert.equal(gate.backoffs, 6);
  });

  it('once turned off (a network mount, or LOCAL_READS_ON_LOOP=off), never allows the loop again', () => {
    const { gate, advance } = gateOnClock(30_000);
    gate.turnOff();
    assert.equal(gate.allowed, false);
    advance(10_000_000);
    assert.equal(gate.allowed, false);
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

  it('allows more time for more bytes: 1 ms, plus 4 ms per MiB', () => {
    assert.equal(allowanceMs(0), 1);
    assert.equal(allowanceMs(1024 * 1024), 5);
    const { gate, operation } = gateOnClock(30_000);
    gate.run(1024 * 1024, operation(20)); // under 5 × 5 ms: one strike, no more
    assert.equal(gate.allowed, true);
    gate.run(64 * 1024, operation(20)); // over 5 × 1.25 ms
    assert.equal(gate.allowed, false);
  });
});

describe('readsOnLoop (where a local store lets first operations run on the loop)', () => {
  it('on local disks and in memory, unless the operator said off', () => {
    assert.deepEqual(readsOnLoop('auto', 0xef53), { allowed: true }); // ext4
    assert.deepEqual(readsOnLoop('auto', 0x58465342), { allowed: true }); // xfs
    assert.deepEqual(readsOnLoop('auto', 0x01021994), { allowed: true }); // tmpfs
    assert.deepEqual(readsOnLoop('off', 0xef53), { allowed: false, reason: 'LOCAL_READS_ON_LOOP=off' });
  });

  it('never where an operation can wait for a server: NFS, SMB, FUSE (rclone, sshfs), 9p, unknown', () => {
    for (const type of [0x6969, 0xfe534d42, 0xff534d42, 0x65735546, 0x01021997, 0x12345678]) {
      const choice = readsOnLoop('auto', type);
      assert.equal(choice.allowed, false, type.toString(16));
      assert.match(!choice.allowed ? choice.reason : '', new RegExp(`0x${type.toString(16)}`));
    }
  });
});
