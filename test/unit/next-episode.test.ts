import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Types } from 'mongoose';
import { placeAndNext } from '../../src/site/pages/player/next-episode.js';

describe('next episode', () => {
  const [a, b, c, d, versionOfB] = Array.from({ length: 5 }, () => new Types.ObjectId());
  const seasons = [
    { number: 2, episodes: [{ number: 1, fileIds: [d] }] },
    {
      number: 1,
      episodes: [
        { number: 3, fileIds: [c] },
        { number: 1, fileIds: [a] },
        { number: 2, fileIds: [b, versionOfB] },
        { number: 4, fileIds: [] },
      ],
    },
  ];

  it('is the next episode of the season, in number order', () => {
    assert.deepEqual(placeAndNext(seasons, a), {
      current: { season: 1, episode: 1, fileId: a },
      next: { season: 1, episode: 2, fileId: b },
    });
  });

  it('follows any version of an episode to the next one', () => {
    assert.equal(placeAndNext(seasons, versionOfB).next?.fileId, c);
  });

  it('skips episodes without files and crosses into the next season', () => {
    assert.deepEqual(placeAndNext(seasons, c).next, { season: 2, episode: 1, fileId: d });
  });

  it('has none after the last episode, and no place for a file outside the series', () => {
    assert.equal(placeAndNext(seasons, d).next, undefined);
    assert.deepEqual(placeAndNext(seasons, new Types.ObjectId()), {});
  });
});
