import { Types } from 'mongoose';
import { tokensOf } from '../../src/library/library.service.js';
import { type NewTitle } from '../../src/library/title.repository.js';
import { seededRandom } from '../../src/library/bulk/synthetic-titles.js';

const WORDS = [
  'shadow',
  'river',
  'crown',
  'silent',
  'empire',
  'garden',
  'winter',
  'ember',
  'harbor',
  'glass',
  'iron',
  'hollow',
  'signal',
  'orbit',
  'violet',
  'summit',
  'echo',
  'lantern',
  'north',
  'cipher',
  'velvet',
  'meadow',
  'thunder',
  'atlas',
  'marble',
  'falcon',
  'saffron',
  'drift',
  'quarry',
  'beacon',
];

/** `count` varied titles (2-4 words from a small vocabulary, so prefixes collide realistically). */
export function generateTitles(
  count: number,
  seed = 42,
): (NewTitle & { _id: Types.ObjectId; updatedAt: Date })[] {
  const next = seededRandom(seed);
  const kinds = ['movie', 'series', 'anime'] as const;
  const base = Date.UTC(2020, 0, 1);
  return Array.from({ length: count }, (_, index) => {
    const words = Array.from(
      { length: 2 + Math.floor(next() * 3) },
      () => WORDS[Math.floor(next() * WORDS.length)],
    );
    const name = words.map((w) => w[0].toUpperCase() + w.slice(1)).join(' ') + ` ${index}`;
    const year = 1950 + Math.floor(next() * 75);
    const title = {
      _id: new Types.ObjectId(),
      kind: kinds[index % 3],
      name,
      aliases: [],
      year,
      genres: [],
      externalIds: {},
      seasons: [],
      fileIds: [],
      lockedFields: [],
      mismatches: [],
      updatedAt: new Date(base + Math.floor(next() * 1e10)),
    };
    const stamped = { ...title, createdAt: title.updatedAt };
    return { ...stamped, searchTokens: tokensOf(title) };
  });
}
