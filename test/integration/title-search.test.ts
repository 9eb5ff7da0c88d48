import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TitleSearchService } from '../../src/library/title-search.service.js';
import { TitleRepository } from '../../src/library/title.repository.js';
import { LibraryService } from '../../src/library/library.service.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { startInProcessApp, type InProcessApp } from '../support/in-process-app.js';
import { generateTitles } from '../support/title-generator.js';

describe('title search over 10k titles on FerretDB', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let search: TitleSearchService;
  const generated = generateTitles(10_000);

  before(async () => {
    db = await startTestDatabase();
    server = await startInProcessApp({ MONGODB_URI: db.uri, ROLE: 'worker' });
    const titles = server.app.get(TitleRepository);
    for (let i = 0; i < generated.length; i += 2000) await titles.insertMany(generated.slice(i, i + 2000));
    search = server.app.get(TitleSearchService);
  });
  after(async () => {
    await server?.close();
    await db?.stop();
  });

  it('returns exactly the titles with a word starting with the query, newest first', async () => {
    const page = await search.search({ q: 'lant', page: 1, pageSize: 20 });
    const expected = generated
      .filter((t) => t.searchTokens.some((token) => token.startsWith('lant')))
      .sort(
        (a, b) => b.updatedAt.getTime() - a.updatedAt.getTime() || String(b._id).localeCompare(String(a._id)),
      );
    assert.equal(page.total, expected.length);
    assert.ok(page.total > 100, 'the vocabulary makes this a broad query');
    assert.deepEqual(
      page.items.map((t) => t.name),
      expected.slice(0, 20).map((t) => t.name),
    );
  });

  it('ranks titles matching more query words first, whole words before prefixes', async () => {
    const library = server.app.get(LibraryService);
    const exact = await library.upsertSkeleton({ kind: 'movie', name: 'Orbit Cipher', year: 1990 });
    const prefixes = await library.upsertSkeleton({ kind: 'movie', name: 'Orbital Ciphers', year: 1991 });
    const page = await search.search({ q: 'orbit cipher', page: 1, pageSize: 100 });
    const rank = (id: unknown) => page.items.findIndex((t) => String(t._id) === String(id));
    const has = (t: { searchTokens: string[] }, word: string) => t.searchTokens.includes(word);
    const bothWhole = page.items.filter((t) => has(t, 'orbit') && has(t, 'cipher'));
    const oneWord = page.items.filter(
      (t) =>
        !t.searchTokens.some((w) => w.startsWith('orbit')) ||
        !t.searchTokens.some((w) => w.startsWith('cipher')),
    );
    assert.equal(rank(exact._id), 0, 'both words, whole, and newest');
    assert.ok(bothWhole.length > 1 && oneWord.length > 0, 'the library has both kinds of match');
    assert.ok(
      bothWhole.every((t) => rank(t._id) < rank(prefixes._id)),
      'whole-word matches before prefix matches',
    );
    assert.ok(
      oneWord.every((t) => rank(t._id) > rank(prefixes._id)),
      'two matched words before one',
    );
  });

  it('filters by kind and year, and pages without overlap', async () => {
    const first = await search.search({ q: 'shadow', kind: 'anime', page: 1, pageSize: 10 });
    const second = await search.search({ q: 'shadow', kind: 'anime', page: 2, pageSize: 10 });
    assert.ok(first.items.every((t) => t.kind === 'anime'));
    const ids = new Set([...first.items, ...second.items].map((t) => String(t._id)));
    assert.equal(ids.size, 20);
    const year = await search.search({ year: 1977, page: 1, pageSize: 100 });
    assert.equal(year.total, generated.filter((t) => t.year === 1977).length);
  });

  it('treats regex characters in a query as text', async () => {
    const page = await search.search({ q: '.* (', page: 1, pageSize: 5 });
    assert.equal(page.total, 0);
  });
});
