import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClientPool } from '../../src/core/storage/telegram/client-pool.js';

describe('ClientPool (Telegram sessions shared by streams)', () => {
  it('moves a lease once when a window of requests on one session answers FLOOD_WAIT', async () => {
    const pool = new ClientPool(['s1', 's2', 's3'], 15);
    const lease = await pool.lease();
    assert.equal(lease.sessionId, 's1');
    // Eight requests were in flight on s1; their FLOOD_WAIT answers arrive together, then late.
    await Promise.all(Array.from({ length: 8 }, () => lease.failOver('s1', 30)));
    await lease.failOver('s1', 30);
    assert.equal(lease.sessionId, 's2');
    assert.deepEqual(pool.loads(), { s1: 0, s2: 1, s3: 0 });
    // s3 was never refused: it is free for the next stream.
    assert.equal(pool.leastBusy(), 's3');
    lease.release();
  });

  it('parks only the session that answered FLOOD_WAIT, never the one the lease moved to', async () => {
    const pool = new ClientPool(['s1', 's2'], 15);
    const lease = await pool.lease();
    await lease.failOver('s1', 30);
    await lease.failOver('s1', 30);
    lease.release();
    // s2 was never refused: a new stream gets it at once; s1 waits out its flood limit.
    const next = await pool.lease();
    assert.equal(next.sessionId, 's2');
    assert.equal(pool.leastBusy(), 's2');
    next.release();
    assert.deepEqual(pool.loads(), { s1: 0, s2: 0 });
  });

  it('offers a free session before a parked one, and tells how long a parked one still waits', () => {
    let now = 1_000_000;
    const pool = new ClientPool(['s1', 's2'], 15, () => now);
    pool.park('s1', 30);
    assert.equal(pool.leastBusy(), 's2');
    assert.equal(pool.parkedMs('s2'), 0);
    pool.park('s2', 60);
    // Every session is parked: the one free first, and for how long.
    assert.equal(pool.leastBusy(), 's1');
    assert.equal(pool.parkedMs('s1'), 30_000);
    now += 30_000;
    assert.equal(pool.parkedMs('s1'), 0);
  });
});
