import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Types } from 'mongoose';
import { escapeRegex, searchTokens } from '../../src/library/search/search-tokens.js';
import { rankCandidates } from '../../src/library/title-search.service.js';

describe('search tokens', () => {
  it('lowercases, strips diacritics and punctuation, and splits', () => {
    assert.deepEqual(searchTokens('Amélie (2001)'), ['amelie', '2001']);
    assert.deepEqual(searchTokens('Spider-Man: No Way Home'), ['spider', 'man', 'no', 'way', 'home']);
    assert.deepEqual(searchTokens("Schindler's List"), ['schindlers', 'list']);
    assert.deepEqual(searchTokens('Pokémon', 'POKEMON', undefined, 1997), ['pokemon', '1997']);
  });

  it('keeps non-Latin scripts', () => {
    assert.deepEqual(searchTokens('進撃の巨人'), ['進撃の巨人']);
    assert.deepEqual(searchTokens('Кино Фильм'), ['кино', 'фильм']);
  });

  it('escapes regex syntax in user queries', () => {
    assert.equal(escapeRegex('a.b*(c)'), 'a\\.b\\*\\(c\\)');
  });
});

describe('search ranking', () => {
  const at = (day: number) => new Date(Date.UTC(2026, 0, day));
  const candidate = (tokens: string[], day: number) => ({
    _id: new Types.ObjectId(),
    searchTokens: tokens,
    updatedAt: at(day),
  });

  it('ranks by query tokens matched, then whole-word matches, then recency', () => {
    const both = candidate(['the', 'matrix', 'reloaded'], 1);
    const prefixBoth = candidate(['matrixes', 'reloading'], 9);
    const oneNew = candidate(['the', 'matrix'], 20);
    const oneOld = candidate(['matrix', 'revolutions'], 2);
    const none = candidate(['heat'], 30);
    const order = rankCandidates([oneOld, none, prefixBoth, oneNew, both], ['matrix', 'reload']);
    assert.deepEqual(
      order.map(String),
      [both, prefixBoth, oneNew, oneOld].map((c) => String(c._id)),
    );
  });
});
