import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideRange } from '../../src/stream/http/byte-range.js';

const SIZE = 1000;

describe('Range header (RFC 9110)', () => {
  it('serves the whole body without a Range header', () => {
    assert.deepEqual(decideRange(undefined, SIZE), { kind: 'full' });
  });

  it('reads one range with inclusive bounds', () => {
    assert.deepEqual(decideRange('bytes=0-1', SIZE), { kind: 'partial', start: 0, end: 1 });
    assert.deepEqual(decideRange('bytes=0-0', SIZE), { kind: 'partial', start: 0, end: 0 });
    assert.deepEqual(decideRange('bytes=500-', SIZE), { kind: 'partial', start: 500, end: 999 });
    assert.deepEqual(decideRange('bytes=-100', SIZE), { kind: 'partial', start: 900, end: 999 });
    assert.deepEqual(decideRange('BYTES = 10-20', SIZE), { kind: 'partial', start: 10, end: 20 });
  });

  it('clamps a range running past the end, and a suffix longer than the file', () => {
    assert.deepEqual(decideRange('bytes=990-5000', SIZE), { kind: 'partial', start: 990, end: 999 });
    assert.deepEqual(decideRange('bytes=-5000', SIZE), { kind: 'partial', start: 0, end: 999 });
  });

  it('answers 416 for a range starting at or past the end, or an empty suffix', () => {
    assert.deepEqual(decideRange('bytes=1000-', SIZE), { kind: 'unsatisfiable' });
    assert.deepEqual(decideRange('bytes=1000-1005', SIZE), { kind: 'unsatisfiable' });
    assert.deepEqual(decideRange('bytes=-0', SIZE), { kind: 'unsatisfiable' });
    assert.deepEqual(decideRange('bytes=0-', 0), { kind: 'unsatisfiable' });
  });

  it('ignores a syntactically invalid header (full 200 body)', () => {
    for (const header of [
      'bytes=abc',
      'bytes=5-2',
      'bytes=-',
      'bytes=',
      'items=0-1',
      'bytes 0-1',
      'bytes=1-2-3',
      'bytes=0x10-',
    ]) {
      assert.deepEqual(decideRange(header, SIZE), { kind: 'full' }, header);
    }
    assert.deepEqual(decideRange(`bytes=${'9'.repeat(30)}-${'9'.repeat(29)}`, SIZE), { kind: 'full' });
  });

  it('reads positions past 2^53 as past the end: a last position clamps, a first one is unsatisfiable', () => {
    const huge = '9'.repeat(30);
    assert.deepEqual(decideRange(`bytes=0-${huge}`, SIZE), { kind: 'partial', start: 0, end: SIZE - 1 });
    assert.deepEqual(decideRange(`bytes=${huge}-`, SIZE), { kind: 'unsatisfiable' });
    assert.deepEqual(decideRange(`bytes=-${huge}`, SIZE), { kind: 'partial', start: 0, end: SIZE - 1 });
    assert.deepEqual(decideRange('bytes=10-9007199254740993', SIZE), {
      kind: 'partial',
      start: 10,
      end: SIZE - 1,
    });
  });

  it('serves several ranges as the full body', () => {
    assert.deepEqual(decideRange('bytes=0-1,5-6', SIZE), { kind: 'full' });
  });
});
