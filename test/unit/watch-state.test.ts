import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CONTINUE_LIMIT,
  type ContinueEntry,
  isWatched,
  mergeContinueLists,
  nextContinueList,
} from '../../src/site/progress/watch-state.js';

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute));
const entry = (fileId: string, minute: number, titleId?: string): ContinueEntry => ({
  fileId,
  titleId,
  position: 10,
  duration: 100,
  updatedAt: at(minute),
});
const files = (list: ContinueEntry[]) => list.map((item) => item.fileId);

describe('watched mark', () => {
  it('is reached at 90 % of the duration, not before', () => {
    assert.equal(isWatched(89.9, 100), false);
    assert.equal(isWatched(90, 100), true);
    assert.equal(isWatched(0, 0), false);
  });
});

describe('continue watching list', () => {
  it('puts the file played last first and keeps one entry per title', () => {
    let list = nextContinueList([], entry('e1', 1, 'show'), false);
    list = nextContinueList(list, entry('film', 2, 'movie'), false);
    list = nextContinueList(list, entry('e2', 3, 'show'), false);
    assert.deepEqual(files(list), ['e2', 'film']);
  });

  it('drops a finished file, and files without a title count by themselves', () => {
    let list = nextContinueList([], entry('a', 1), false);
    list = nextContinueList(list, entry('b', 2), false);
    list = nextContinueList(list, entry('a', 3), true);
    assert.deepEqual(files(list), ['b']);
  });

  it(`keeps at most ${CONTINUE_LIMIT} entries`, () => {
    let list: ContinueEntry[] = [];
    for (let i = 0; i < CONTINUE_LIMIT + 5; i++) list = nextContinueList(list, entry(`f${i}`, i), false);
    assert.equal(list.length, CONTINUE_LIMIT);
    assert.equal(list[0].fileId, `f${CONTINUE_LIMIT + 4}`);
  });

  it('merges two lists with the newer entry per title winning', () => {
    const account = [entry('e5', 10, 'show'), entry('film', 4, 'movie')];
    const guest = [entry('e2', 3, 'show'), entry('film2', 8, 'movie'), entry('doc', 6, 'doc')];
    assert.deepEqual(files(mergeContinueLists(account, guest)), ['e5', 'film2', 'doc']);
  });
});
