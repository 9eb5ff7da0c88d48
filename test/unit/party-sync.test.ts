import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { before, describe, it } from 'node:test';
import { PROJECT_ROOT } from '../support/paths.js';

interface RoomState {
  playing: boolean;
  position: number;
  rate: number;
  at: number;
}

/** The party page's sync module (views/assets/site/party-sync.mjs), loaded as the browser loads it. */
interface PartySync {
  SEEK_THRESHOLD: number;
  DEAD_BAND: number;
  MAX_NUDGE: number;
  estimateClock(samples: { sent: number; received: number; server: number }[]): {
    rtt: number;
    offset: number;
  };
  expectedPosition(state: RoomState, serverNow: number): number;
  correction(
    local: number,
    expected: number,
    roomRate: number,
  ): { drift: number; seek?: number; rate: number };
}

describe('watch-party sync maths', () => {
  let sync: PartySync;
  before(async () => {
    sync = (await import(
      pathToFileURL(join(PROJECT_ROOT, 'views', 'assets', 'site', 'party-sync.mjs')).href
    )) as PartySync;
  });

  it('estimates the server clock offset from the ping with the shortest round trip', () => {
    // The server clock runs 5 s ahead; the second ping had a slow return path, the third was quick.
    const clock = sync.estimateClock([
      { sent: 1000, received: 1040, server: 6020 },
      { sent: 2000, received: 2300, server: 7010 },
      { sent: 3000, received: 3010, server: 8005 },
    ]);
    assert.deepEqual(clock, { rtt: 10, offset: 5000 });
  });

  it('knows nothing without samples, and ignores a sample whose clock went backwards', () => {
    assert.deepEqual(sync.estimateClock([]), { rtt: 0, offset: 0 });
    assert.deepEqual(sync.estimateClock([{ sent: 10, received: 5, server: 0 }]), { rtt: 0, offset: 0 });
  });

  it('moves a playing room on by the time since its stamp, at its rate; a paused one stays', () => {
    const playing = { playing: true, position: 10, rate: 1.5, at: 1_000 };
    assert.equal(sync.expectedPosition(playing, 3_000), 13);
    assert.equal(sync.expectedPosition({ ...playing, playing: false }, 60_000), 10);
    // A stamp from the future (clock estimate still settling) never moves playback backwards.
    assert.equal(sync.expectedPosition(playing, 500), 10);
  });

  it('seeks when the drift is over half a second, either way', () => {
    const ahead = sync.correction(20.6, 20, 1);
    assert.deepEqual([ahead.seek, ahead.rate, ahead.drift.toFixed(3)], [20, 1, '0.600']);
    assert.equal(sync.correction(19, 20, 1.25).seek, 20);
    assert.equal(sync.correction(19, 20, 1.25).rate, 1.25);
  });

  it('nudges the rate under half a second: slower when ahead, faster when behind, within ±10 %', () => {
    const ahead = sync.correction(20.1, 20, 1);
    assert.equal(ahead.seek, undefined);
    assert.ok(ahead.rate < 1 && ahead.rate >= 1 - sync.MAX_NUDGE, `ahead: ${ahead.rate}`);
    const behind = sync.correction(19.6, 20, 1);
    assert.equal(behind.seek, undefined);
    assert.ok(behind.rate > 1 && behind.rate <= 1 + sync.MAX_NUDGE, `behind: ${behind.rate}`);
    // The nudge is relative to the room's rate.
    assert.ok(Math.abs(sync.correction(19.6, 20, 2).rate - 2 * behind.rate) < 1e-9);
  });

  it('leaves a drift inside the dead band alone, at the room rate', () => {
    const still = sync.correction(20.02, 20, 1.5);
    assert.deepEqual([still.seek, still.rate], [undefined, 1.5]);
  });
});
