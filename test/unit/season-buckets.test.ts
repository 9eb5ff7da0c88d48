import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Types } from 'mongoose';
import { withFile, withoutEpisode, withoutFile } from '../../src/library/season-buckets.js';
import { type SeasonBucket } from '../../src/library/schemas/title.schema.js';

const f1 = new Types.ObjectId();
const f2 = new Types.ObjectId();
const shape = (seasons: SeasonBucket[]) =>
  seasons.map((s) => [s.number, s.episodes.map((e) => [e.number, e.fileIds.map(String)])]);

describe('season buckets', () => {
  it('creates missing seasons and episodes, sorted', () => {
    const tree = withFile(withFile([], 2, [1], f1), 1, [3, 2], f2);
    assert.deepEqual(shape(tree), [
      [
        1,
        [
          [2, [String(f2)]],
          [3, [String(f2)]],
        ],
      ],
      [2, [[1, [String(f1)]]]],
    ]);
  });

  it('never holds a file twice and never mutates its input', () => {
    const once = withFile([], 1, [1], f1);
    const twice = withFile(once, 1, [1], f1);
    assert.deepEqual(shape(twice), shape(once));
    withFile(once, 1, [1], f2);
    assert.equal(once[0].episodes[0].fileIds.length, 1);
  });

  it('drops episodes and seasons a removal empties', () => {
    const tree = withFile(withFile(withFile([], 1, [1], f1), 1, [1], f2), 2, [4], f2);
    assert.deepEqual(shape(withoutFile(tree, f2)), [[1, [[1, [String(f1)]]]]]);
    assert.deepEqual(shape(withoutEpisode(tree, 2, 4)), [[1, [[1, [String(f1), String(f2)]]]]]);
  });
});
