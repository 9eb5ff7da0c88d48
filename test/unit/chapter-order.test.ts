import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  chapterLabel,
  chapterNeighbours,
  chaptersByVolume,
} from '../../src/readvault/reading/chapter-order.js';

const chapter = (id: string, volume: number | undefined, number: number | undefined, title?: string) => ({
  id,
  volume,
  number,
  title,
  pageCount: 10,
});

describe('chapters in reading order', () => {
  it('names a chapter by volume and number, else by its title', () => {
    assert.equal(chapterLabel({ volume: 1, number: 2.5 }), 'Vol. 1 · Ch. 2.5');
    assert.equal(chapterLabel({ number: 12 }), 'Ch. 12');
    assert.equal(chapterLabel({ title: 'Omake' }), 'Omake');
    assert.equal(chapterLabel({}), 'Chapter');
  });

  it('finds the chapters before and after one, none past the ends', () => {
    const list = [chapter('a', 1, 1), chapter('b', 1, 2), chapter('c', 2, 3)];
    assert.deepEqual(chapterNeighbours(list, 'b'), { previous: list[0], next: list[2] });
    assert.deepEqual(chapterNeighbours(list, 'a'), { previous: undefined, next: list[1] });
    assert.deepEqual(chapterNeighbours(list, 'c'), { previous: list[1], next: undefined });
    assert.deepEqual(chapterNeighbours(list, 'zzz'), {});
  });

  it('groups consecutive chapters of a volume, those without one in a group of their own', () => {
    const list = [chapter('a', 1, 1), chapter('b', 1, 2), chapter('c', 2, 3), chapter('d', undefined, 4)];
    assert.deepEqual(
      chaptersByVolume(list).map((group) => [group.volume, group.chapters.map((c) => c.id)]),
      [
        [1, ['a', 'b']],
        [2, ['c']],
        [undefined, ['d']],
      ],
    );
  });
});
