import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  PROFILE_FILES_KEPT,
  PROFILE_TITLES_KEPT,
  PRUNE_STEP,
  pruneProfile,
  touchFile,
} from '../../src/site/progress/profile-limits.js';
import { type ViewerProfile } from '../../src/site/progress/schemas/viewer-profile.schema.js';

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute));
const keys = (count: number, from = 0) => Array.from({ length: count }, (_, i) => `f${from + i}`);

function profile(files: string[], titles: ViewerProfile['titles'] = []): ViewerProfile {
  return { _id: 'guest:x', guest: true, continue: [], titles, files, updatedAt: at(0) };
}

describe('viewer profile limits', () => {
  it('a file played again moves to the newest end; a new one is added there', () => {
    const viewer = profile(['a', 'b', 'c']);
    touchFile(viewer, 'a');
    assert.deepEqual(viewer.files, ['b', 'c', 'a']);
    touchFile(viewer, 'd');
    assert.deepEqual(viewer.files, ['b', 'c', 'a', 'd']);
  });

  it('keeps the newest PROFILE_FILES_KEPT files and names the oldest dropped, with their marks and entries', () => {
    const viewer = profile(keys(PROFILE_FILES_KEPT + 1), [
      { titleId: 't', watched: ['f0', 'f1'], updatedAt: at(1) },
    ]);
    viewer.continue = [
      { fileId: 'f0', titleId: 't', position: 1, duration: 10, updatedAt: at(1) },
      { fileId: 'f5', position: 1, duration: 10, updatedAt: at(2) },
    ];
    assert.deepEqual(pruneProfile(viewer), ['f0']);
    assert.equal(viewer.files.length, PROFILE_FILES_KEPT);
    assert.equal(viewer.files[0], 'f1');
    assert.equal(viewer.files.at(-1), `f${PROFILE_FILES_KEPT}`);
    assert.deepEqual(viewer.titles[0].watched, ['f1']);
    assert.deepEqual(
      viewer.continue.map((entry) => entry.fileId),
      ['f5'],
    );
  });

  it('drops a chapter by its key, and its continue-reading entry with it', () => {
    const viewer = profile(['chapter:c1', ...keys(PROFILE_FILES_KEPT)]);
    viewer.continue = [{ fileId: 'cbz', chapterId: 'c1', position: 3, duration: 20, updatedAt: at(1) }];
    assert.deepEqual(pruneProfile(viewer), ['chapter:c1']);
    assert.deepEqual(viewer.continue, []);
  });

  it('changes nothing at or under the caps', () => {
    const viewer = profile(keys(PROFILE_FILES_KEPT), [{ titleId: 't', watched: ['f0'], updatedAt: at(1) }]);
    assert.deepEqual(pruneProfile(viewer), []);
    assert.equal(viewer.files.length, PROFILE_FILES_KEPT);
    assert.deepEqual(viewer.titles[0].watched, ['f0']);
  });

  it('shrinks a profile far over the cap by at most PRUNE_STEP files a write', () => {
    const viewer = profile(keys(PROFILE_FILES_KEPT + PRUNE_STEP + 50));
    assert.deepEqual(pruneProfile(viewer), keys(PRUNE_STEP));
    assert.deepEqual(pruneProfile(viewer), keys(50, PRUNE_STEP));
    assert.equal(viewer.files.length, PROFILE_FILES_KEPT);
  });

  it('keeps the PROFILE_TITLES_KEPT titles played last, whatever their order in the list', () => {
    const titles = Array.from({ length: PROFILE_TITLES_KEPT + 2 }, (_, i) => ({
      titleId: `t${i}`,
      watched: [],
      // t1 and t3 are the two played longest ago.
      updatedAt: i === 1 || i === 3 ? at(0) : at(10 + i),
    }));
    const viewer = profile([], titles);
    pruneProfile(viewer);
    assert.equal(viewer.titles.length, PROFILE_TITLES_KEPT);
    const left = new Set(viewer.titles.map((title) => title.titleId));
    assert.ok(!left.has('t1') && !left.has('t3'));
    assert.ok(left.has('t0') && left.has(`t${PROFILE_TITLES_KEPT + 1}`));
  });
});
