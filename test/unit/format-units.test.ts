import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatAgo, formatBytes, formatClock, formatDuration } from '../../src/core/util/format-units.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

describe('formatBytes', () => {
  it('shows whole bytes below 1 KiB and one decimal above, in binary units up to TiB', () => {
    assert.deepEqual(
      [0, 1, 512, 1023, 1536, 20 * MiB, 10 * GiB, 3 * 1024 * GiB, 2048 * 1024 * GiB].map((n) =>
        formatBytes(n),
      ),
      ['0 B', '1 B', '512 B', '1023 B', '1.5 KiB', '20.0 MiB', '10.0 GiB', '3.0 TiB', '2048.0 TiB'],
    );
  });

  it('with `precise`, shows two decimals below 10 of a unit, one above', () => {
    const precise = (n: number) => formatBytes(n, { precise: true });
    assert.deepEqual([512, 1536, 3.47 * GiB, 10 * GiB, 256 * MiB].map(precise), [
      '512 B',
      '1.50 KiB',
      '3.47 GiB',
      '10.0 GiB',
      '256.0 MiB',
    ]);
  });

  it('leaves an unknown size blank and never shows a negative one', () => {
    assert.deepEqual(
      [undefined, Number.NaN, Number.POSITIVE_INFINITY].map((n) => formatBytes(n)),
      ['', '', ''],
    );
    assert.equal(formatBytes(-5), '0 B');
  });
});

describe('formatDuration', () => {
  it('names the two largest units, seconds up to days', () => {
    assert.deepEqual(
      [0, 42, 59.9, 60, 185, 3600, 2 * 3600 + 7 * 60 + 59, 86399, 90061, 3 * 86400 + 4 * 3600].map((s) =>
        formatDuration(s),
      ),
      ['0s', '42s', '59s', '1m 00s', '3m 05s', '1h 00m', '2h 07m', '23h 59m', '1d 01h', '3d 04h'],
    );
  });

  it('leaves an unknown span blank and shows a negative one as 0s', () => {
    assert.deepEqual([undefined, Number.NaN].map(formatDuration), ['', '']);
    assert.equal(formatDuration(-3), '0s');
  });
});

describe('formatAgo', () => {
  it('says how long before `now` a moment was', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    assert.equal(formatAgo('2026-01-01T11:56:55Z', now), '3m 05s ago');
    assert.equal(formatAgo(new Date(now - 2 * 86400_000), now), '2d 00h ago');
    assert.equal(formatAgo(new Date(now + 5000), now), '0s ago', 'a clock a little ahead is "now"');
  });
});

describe('formatClock', () => {
  it('shows a media duration as a player does, to the nearest second', () => {
    assert.deepEqual(
      [0, 2, 4.6, 245, 3599.4, 3600, 6123].map((s) => formatClock(s)),
      ['0:00', '0:02', '0:05', '4:05', '59:59', '1:00:00', '1:42:03'],
    );
  });

  it('leaves an unknown duration blank', () => {
    assert.equal(formatClock(undefined), '');
  });
});
