import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SpeedMeter } from '../../src/ingest/progress/speed-meter.js';

describe('speed meter (EMA)', () => {
  it('starts at the first measured rate', () => {
    const meter = new SpeedMeter(0);
    assert.equal(meter.update(1_000_000, 1000), 1_000_000);
  });

  it('moves part of the way toward a new rate, more the longer it lasts', () => {
    const meter = new SpeedMeter(0, 3000);
    meter.update(1_000_000, 1000); // 1 MB/s
    const afterOneSecond = meter.update(1_000_000, 2000); // stalled for 1 s
    assert.ok(afterOneSecond > 700_000 && afterOneSecond < 900_000, String(afterOneSecond));
    const afterLong = meter.update(1_000_000, 14_000); // stalled for 12 s more
    assert.ok(afterLong < 100_000, String(afterLong));
  });

  it('derives the ETA from the smoothed speed', () => {
    const meter = new SpeedMeter(0);
    assert.equal(meter.etaSeconds(0, 10_000_000), undefined, 'no speed yet');
    meter.update(2_000_000, 1000);
    assert.equal(meter.etaSeconds(2_000_000, 10_000_000), 4);
    assert.equal(meter.etaSeconds(2_000_000, undefined), undefined, 'unknown total');
  });

  it('ignores updates that carry no time', () => {
    const meter = new SpeedMeter(0);
    meter.update(500, 1000);
    assert.equal(meter.update(900, 1000), 500);
  });
});
