import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CatalogQueryService } from '../../src/library/catalog/catalog-query.service.js';
import { LibraryService } from '../../src/library/library.service.js';
import { type TitleKind } from '../../src/library/release-name/parsed-release.js';
import { eventually } from '../support/eventually.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { startInProcessApp, type InProcessApp } from '../support/in-process-app.js';

/**
 * Words most titles hold ("the", "of") are answered without gathering every title that holds them:
 * with other words they only rank what those words find; alone, the newest titles holding them
 * exactly are the candidates. Here a word is common from four titles on.
 */
describe('catalog search with common words', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let catalog: CatalogQueryService;
  let library: LibraryService;

  // Oldest first: each is newer than the one before.
  const LIBRARY: [string, TitleKind][] = [
    ['Ring of Fire', 'movie'],
    ['The Crimson Harbor', 'movie'],
    ['The Silent Garden', 'series'],
    ['Theodora', 'movie'],
    ['Harbor of the Lost', 'movie'],
    ['The Ring', 'movie'],
    ['The Lantern', 'series'],
    ['Lord of the Rings', 'movie'],
    ['Quiet Echo', 'movie'],
  ];

  before(async () => {
    db = await startTestDatabase();
    server = await startInProcessApp({
      MONGODB_URI: db.uri,
      ROLE: 'worker',
      CATALOG_COMMON_WORD_TITLES: '3',
    });
    catalog = server.app.get(CatalogQueryService);
    library = server.app.get(LibraryService);
    for (const [name, kind] of LIBRARY) await library.upsertSkeleton({ kind, name, year: 2000 });
    await eventually(
      () => catalog.list(),
      (page) => page.source === 'index' && page.total === LIBRARY.length,
      { what: 'the index answering', timeoutMs: 30_000 },
    );
  });
  after(async () => {
    await server?.close();
    await db?.stop();
  });

  const names = (page: { items: { name: string }[] }) => page.items.map((card) => card.name);

  it('"the" alone answers with the newest titles holding the word, those starting with "The" among them', async () => {
    const page = await catalog.search('the', { limit: 3 });
    assert.equal(page.source, 'index');
    assert.deepEqual(names(page), ['Lord of the Rings', 'The Lantern', 'The Ring']);
    assert.equal(page.truncated, true, 'candidates were capped');
    assert.equal(page.total, 6, 'every title holding "the" (all of them walked here)');
    assert.deepEqual(names(await catalog.search('the', { limit: 2, offset: 2 })), [
      'The Ring',
      'Harbor of the Lost',
    ]);
  });

  it('"the" past its newest titles is ranked in full: exact matches, then the prefix match', async () => {
    const page = await catalog.search('the', { limit: 24 });
    assert.deepEqual(names(page), [
      'Lord of the Rings',
      'The Lantern',
      'The Ring',
      'Harbor of the Lost',
      'The Silent Garden',
      'The Crimson Harbor',
      'Theodora',
    ]);
    assert.equal(page.truncated, false);
  });

  it('"the ring" finds "The Ring" first; "the" ranks what "ring" finds and adds nothing of its own', async () => {
    const page = await catalog.search('the ring');
    assert.deepEqual(names(page), ['The Ring', 'Lord of the Rings', 'Ring of Fire']);
    assert.equal(page.total, 3);
    assert.equal(page.truncated, true);
  });

  it('keeps the filters', async () => {
    assert.deepEqual(names(await catalog.search('the', { kind: 'series', limit: 1 })), ['The Lantern']);
    assert.deepEqual(names(await catalog.search('the lantern', { kind: 'movie' })), []);
  });

  it('with a stop word, a title holding it moves up past newer ones that do not, page by page', async () => {
    // Newest last: without "the", "Lantern Festival" (newest, exact) would come first.
    await library.upsertSkeleton({ kind: 'movie', name: 'Lanterns of the Dusk', year: 2000 });
    await library.upsertSkeleton({ kind: 'movie', name: 'Lantern Festival', year: 2000 });
    await eventually(
      () => catalog.search('lantern'),
      (page) => page.total === 3,
      { what: 'the new titles indexed', timeoutMs: 30_000 },
    );
    const expected = ['The Lantern', 'Lanterns of the Dusk', 'Lantern Festival'];
    const page = await catalog.search('the lantern');
    assert.deepEqual(names(page), expected, 'both words exact, then "the" and a prefix, then one word');
    assert.equal(page.total, 3);
    const oneByOne: string[] = [];
    for (let offset = 0; offset < 3; offset++) {
      oneByOne.push(...names(await catalog.search('the lantern', { limit: 1, offset })));
    }
    assert.deepEqual(oneByOne, expected);
    assert.deepEqual(names(await catalog.search('the lantern', { limit: 1, offset: 3 })), []);
    const deep = await catalog.search('the lantern', { limit: 100, offset: 150 });
    assert.deepEqual(names(deep), [], 'a deep page (ranked in full) is past the end');
    assert.equal(deep.total, 3);
  });

  it('ranks queries without common words as before', async () => {
    const page = await catalog.search('crimson harbor');
    assert.deepEqual(names(page), ['The Crimson Harbor', 'Harbor of the Lost']);
    assert.equal(page.truncated, false);
  });
});
