import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Types } from 'mongoose';
import { AppError } from '../../src/core/errors/app-error.js';
import { RedisClient } from '../../src/core/redis/redis-client.js';
import { catalogEntry } from '../../src/library/catalog/catalog-entry.js';
import { CatalogIndexRepository } from '../../src/library/catalog/catalog-index.repository.js';
import { CatalogQueryService } from '../../src/library/catalog/catalog-query.service.js';
import { CatalogRebuilder } from '../../src/library/catalog/catalog-rebuilder.js';
import { CatalogScanReader } from '../../src/library/catalog/catalog-scan.reader.js';
import { toTitleCard, type TitleCard } from '../../src/library/catalog/title-card.js';
import { type FacetCount } from '../../src/library/catalog/catalog-query.js';
import { LibraryService } from '../../src/library/library.service.js';
import { seededRandom, syntheticTitles } from '../../src/library/bulk/synthetic-titles.js';
import { TitleImportService } from '../../src/library/bulk/title-import.service.js';
import { type Title } from '../../src/library/schemas/title.schema.js';
import { TitleKeyRepository } from '../../src/library/title-key.repository.js';
import { nameKey } from '../../src/library/title-keys.js';
import { TitleRepository } from '../../src/library/title.repository.js';
import { eventually } from '../support/eventually.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { startInProcessApp, type InProcessApp } from '../support/in-process-app.js';
import { createMediaFile } from '../support/library-fixtures.js';

const WORDS = [
  'shadow',
  'river',
  'crown',
  'ember',
  'harbor',
  'glass',
  'lantern',
  'cipher',
  'velvet',
  'falcon',
];
const GENRES = ['Action', 'Drama', 'Comedy', 'Sci-Fi', 'Horror'];

describe('catalog index', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let catalog: CatalogQueryService;
  let library: LibraryService;
  let index: CatalogIndexRepository;

  before(async () => {
    db = await startTestDatabase();
    server = await startInProcessApp({ MONGODB_URI: db.uri, ROLE: 'worker' });
    catalog = server.app.get(CatalogQueryService);
    library = server.app.get(LibraryService);
    index = server.app.get(CatalogIndexRepository);
  });
  after(async () => {
    await server?.close();
    await db?.stop();
  });

  const waitForIndex = () =>
    eventually(
      () => catalog.list(),
      (page) => page.source === 'index',
      { what: 'the index answering', timeoutMs: 30_000 },
    );

  it('builds itself on first use, answering from the database meanwhile', async () => {
    await library.upsertSkeleton({ kind: 'movie', name: 'Amélie', year: 2001 });
    const first = await catalog.list();
    assert.equal(first.source, 'database');
    assert.equal(first.rebuilding, true);
    assert.deepEqual(
      first.items.map((card) => card.name),
      ['Amélie'],
    );
    await waitForIndex();
    assert.deepEqual(
      (await catalog.search('amelie')).items.map((card) => card.name),
      ['Amélie'],
    );
  });

  it('ranks exact before prefix before one-edit matches, and folds diacritics', async () => {
    const exact = await library.upsertSkeleton({ kind: 'series', name: 'Lantern Harbor', year: 2010 });
    const prefix = await library.upsertSkeleton({
      kind: 'series',
      name: 'Lanterns of Harborside',
      year: 2011,
    });
    const typo = await library.upsertSkeleton({ kind: 'series', name: 'Lantren Habror', year: 2012 });
    const page = await catalog.search('lantern harbor');
    assert.equal(page.source, 'index');
    assert.deepEqual(
      page.items.map((card) => card.id),
      [exact, prefix, typo].map((t) => String(t._id)),
    );
    assert.deepEqual(
      (await catalog.search('AMÉLIE')).items.map((card) => card.name),
      ['Amélie'],
    );
    assert.equal((await catalog.search('amel')).items[0]?.name, 'Amélie', 'a prefix');
    assert.equal((await catalog.search('amelei')).items[0]?.name, 'Amélie', 'two letters swapped');
    assert.equal((await catalog.search('amelii')).items[0]?.name, 'Amélie', 'one letter wrong');
    assert.equal((await catalog.search('amlie')).items[0]?.name, 'Amélie', 'one letter missing');
    await library.upsertSkeleton({ kind: 'series', name: 'Echo', year: 1990 });
    assert.equal((await catalog.search('ecko')).items.length, 0, 'no edits under five letters');
    assert.equal((await catalog.search('amxlxe')).items.length, 0, 'two edits');
  });

  it('finds a title by its original and alternative names', async () => {
    const anime = await library.upsertSkeleton({ kind: 'anime', name: 'Attack on Titan', year: 2013 });
    await library.enrich(anime._id, { originalName: '進撃の巨人', aliases: ['Shingeki no Kyojin'] });
    for (const q of ['shingeki kyojin', '進撃の巨人', 'attack titan']) {
      assert.equal((await catalog.search(q)).items[0]?.id, String(anime._id), q);
    }
  });

  it('lists by newest, name and year, filtered by kind, genre and year, with facet counts', async () => {
    const a = await library.upsertSkeleton({ kind: 'movie', name: 'Zebra Crossing', year: 1999 });
    const b = await library.upsertSkeleton({ kind: 'movie', name: 'Apple Orchard', year: 2005 });
    await library.updateTitle(a._id, { genres: ['Drama', 'Comedy'] });
    await library.updateTitle(b._id, { genres: ['drama '] });
    const movies = await catalog.list({ kind: 'movie', sort: 'name' });
    assert.deepEqual(
      movies.items.map((card) => card.name),
      ['Amélie', 'Apple Orchard', 'Zebra Crossing'],
    );
    const newest = await catalog.list({ kind: 'movie' });
    assert.deepEqual(
      newest.items.map((card) => card.name),
      ['Apple Orchard', 'Zebra Crossing', 'Amélie'],
    );
    const byYear = await catalog.list({ kind: 'movie', sort: 'year' });
    assert.deepEqual(
      byYear.items.map((card) => card.year),
      [2005, 2001, 1999],
    );
    const drama = await catalog.list({ genre: 'DRAMA' });
    assert.equal(drama.total, 2);
    assert.equal((await catalog.list({ genre: 'drama', year: 1999 })).items[0]?.name, 'Zebra Crossing');
    const facets = await catalog.facets({ kind: 'movie' });
    assert.equal(facets.total, 3);
    assert.deepEqual(facets.kinds, [{ value: 'movie', count: 3 }]);
    assert.deepEqual(byValue(facets.genres), [
      { value: 'Comedy', count: 1 },
      { value: 'drama', count: 2 },
    ]);
    assert.deepEqual(
      (await catalog.search('zebra', { kind: 'series' })).items,
      [],
      'search honours the kind filter',
    );
  });

  it('orders names alike in their first ten characters by the whole name, across pages too', async () => {
    // Created out of order, so their ids (which order ties otherwise) are too.
    for (const name of ['The Hollow Citadel', 'Ωmega', 'The Hollow Bridge', 'Zorro', 'The Hollow Archive']) {
      await library.upsertSkeleton({ kind: 'movie', name, year: 1888 });
    }
    const listed: string[] = [];
    for (let offset = 0; offset < 6; offset += 2) {
      const page = await catalog.list({ sort: 'name', year: 1888, limit: 2, offset });
      assert.equal(page.source, 'index');
      assert.equal(page.total, 5);
      listed.push(...page.items.map((card) => card.name));
    }
    // Other scripts after "z", not among the letters.
    assert.deepEqual(listed, [
      'The Hollow Archive',
      'The Hollow Bridge',
      'The Hollow Citadel',
      'Zorro',
      'Ωmega',
    ]);
  });

  it('never brings back a deleted title, whatever order updates arrive in', async () => {
    const title = await library.upsertSkeleton({ kind: 'movie', name: 'Ghost Writer Returns', year: 2020 });
    const stale = await server.app.get(TitleRepository).findById(title._id);
    await library.deleteTitle(title._id);
    const gen = (await index.meta()).current!;
    assert.equal(await index.upsert(gen, String(title._id), stale!.revision, catalogEntry(stale!)), 0);
    assert.equal(await index.upsert(gen, String(title._id), stale!.revision + 99, catalogEntry(stale!)), 0);
    assert.deepEqual((await catalog.search('ghost writer')).items, []);
  });

  it('keeps the local poster on the card when the sync of an earlier edit arrives late', async () => {
    const titles = server.app.get(TitleRepository);
    const title = await library.upsertSkeleton({ kind: 'series', name: 'Poster Comes Late', year: 2021 });
    const earlier = (await titles.findById(title._id))!;
    await library.setArtwork(title._id, 'poster', 'local-poster-1');
    const gen = (await index.meta()).current!;
    const poster = async () => (await index.cards(gen, [String(title._id)]))[0].posterArtwork;
    assert.equal(await poster(), 'local-poster-1');
    assert.equal(await index.upsert(gen, String(title._id), earlier.revision, catalogEntry(earlier)), 0);
    assert.equal(await poster(), 'local-poster-1');

    // Recording episode stills (or their local copies) is a change of the title as well.
    const withArtwork = (await titles.findById(title._id))!;
    await library.setEpisodeStills(title._id, [
      { season: 1, episode: 1, source: 'https://img.test/s1e1.jpg' },
    ]);
    const withStills = (await titles.findById(title._id))!;
    assert.ok(withStills.revision > withArtwork.revision, 'setEpisodeStills bumps the revision');
    await library.setEpisodeStillArtwork(
      title._id,
      new Map([['https://img.test/s1e1.jpg', 'local-still-1']]),
    );
    assert.ok((await titles.findById(title._id))!.revision > withStills.revision, 'so does their artwork');
  });

  it('stays equal to the database through 1000 random operations with a rebuild in the middle', async () => {
    const next = seededRandom(13);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
    const titles = server.app.get(TitleRepository);
    const ids: Types.ObjectId[] = [];
    const name = () => `${pick(WORDS)} ${pick(WORDS)}${next() < 0.3 ? ` ${pick(WORDS)}` : ''}`;

    const operation = async (n: number): Promise<void> => {
      const roll = next();
      const id = ids.length > 0 ? pick(ids) : undefined;
      if (!id || roll < 0.2) {
        const kind = pick(['movie', 'series', 'anime'] as const);
        const title = await library.upsertSkeleton({ kind, name: `${name()} ${n}`, year: 1980 + (n % 40) });
        ids.push(title._id);
      } else if (roll < 0.4) {
        await library.updateTitle(id, { name: `${name()} ${n}`, genres: [pick(GENRES), pick(GENRES)] });
      } else if (roll < 0.5) {
        await library.enrich(id, { originalName: name(), aliases: [name()], year: 1990 + (n % 30) });
      } else if (roll < 0.75) {
        const fileId = await createMediaFile(server.app);
        const season = 1 + Math.floor(next() * 2);
        const episode = 1 + Math.floor(next() * 4);
        const title = await library.requireTitle(id);
        await library.attachFiles(id, [
          { fileId, placement: title.kind === 'movie' ? {} : { season, episodes: [episode] } },
        ]);
      } else if (roll < 0.85) {
        const title = await library.requireTitle(id);
        const season = title.seasons[0];
        if (season?.episodes[0]) await library.deleteEpisode(id, season.number, season.episodes[0].number);
        else if (title.fileIds[0]) await library.deleteFile(id, title.fileIds[0]);
      } else if (roll < 0.92) {
        await library.recordEnrichment(id, { state: 'no-match', at: new Date() });
      } else {
        await library.deleteTitle(id);
      }
    };

    let done = 0;
    const lane = async () => {
      while (done < 1000) {
        const n = done++;
        try {
          await operation(n);
        } catch (error) {
          // Another lane deleted the title first: what a real admin would see too.
          if (!(error instanceof AppError) || error.getStatus() !== 404) throw error;
        }
      }
    };
    const rebuild = (async () => {
      while (done < 400) await new Promise((resolve) => setTimeout(resolve, 20));
      return server.app.get(CatalogRebuilder).rebuild('test: rebuild while writes happen');
    })();
    const before = (await index.meta()).current;
    await Promise.all([lane(), lane(), lane(), lane()]);
    const rebuilt = await rebuild;
    assert.ok(rebuilt, 'the rebuild ran');
    assert.ok(rebuilt.generation !== before, 'a new generation answers');
    assert.ok(done >= 1000);

    const all = (await titles.model.find({}).lean<Title[]>().exec()).map(toTitleCard);
    await assertIndexMatches(all);
  });

  it('indexes bulk-imported titles as they are written (npm run seed)', async () => {
    const generated = syntheticTitles(seededRandom(5), 3);
    const batch = Array.from({ length: 200 }, () => generated.next().value!);
    const outcome = await server.app.get(TitleImportService).importBatch(batch);
    assert.equal(outcome.imported + outcome.existing, 200);
    assert.equal(outcome.files, outcome.imported * 3);
    const anime = batch.find((title) => title.kind === 'anime')!;
    const found = await catalog.search(anime.aliases![0]);
    assert.equal(found.source, 'index');
    assert.ok(found.items.some((card) => card.name === anime.name && card.files === 3));
    const all = (await server.app.get(TitleRepository).model.find({}).lean<Title[]>().exec()).map(
      toTitleCard,
    );
    await assertIndexMatches(all);
  });

  it('imports a title listed twice in one batch once, its name key pointing at it', async () => {
    const [twice, other] = syntheticTitles(seededRandom(21), 1);
    const outcome = await server.app.get(TitleImportService).importBatch([twice, other, { ...twice }]);
    assert.deepEqual(outcome, { imported: 2, files: 2, existing: 1 });
    const [owner] = await server.app
      .get(TitleKeyRepository)
      .owners([nameKey(twice.kind, twice.name, twice.year)]);
    const kept = await server.app.get(TitleRepository).findById(owner.titleId);
    assert.equal(kept?.name, twice.name);
    const found = await catalog.search(twice.name);
    assert.equal(found.items.filter((card) => card.name === twice.name).length, 1);
    const all = (await server.app.get(TitleRepository).model.find({}).lean<Title[]>().exec()).map(
      toTitleCard,
    );
    await assertIndexMatches(all);
  });

  it('after a Redis flush, answers from the database and rebuilds', async () => {
    const redis = server.app.get(RedisClient);
    const expected = await server.app.get(CatalogScanReader).list({ sort: 'newest', limit: 20, offset: 0 });
    // Everything of this install's catalog, as FLUSHDB would (other installs share the test Redis).
    let cursor = '0';
    do {
      const [nextCursor, keys] = await redis.client.scan(
        cursor,
        'MATCH',
        redis.key('catalog*'),
        'COUNT',
        1000,
      );
      cursor = nextCursor;
      if (keys.length) await redis.client.unlink(...keys.map((key) => key.slice(redis.key('').length)));
    } while (cursor !== '0');
    const during = await catalog.list({ limit: 20 });
    assert.equal(during.source, 'database');
    assert.equal(during.rebuilding, true);
    assert.deepEqual(during.items, expected.items, 'not an empty "nothing found"');
    await waitForIndex();
    const all = (await server.app.get(TitleRepository).model.find({}).lean<Title[]>().exec()).map(
      toTitleCard,
    );
    await assertIndexMatches(all);
  });

  /** Every title in the index exactly as the database has it, nothing more; tokens and facets too. */
  async function assertIndexMatches(expected: TitleCard[]): Promise<void> {
    const listed: TitleCard[] = [];
    for (let offset = 0; ; offset += 100) {
      const page = await catalog.list({ limit: 100, offset });
      assert.equal(page.source, 'index');
      assert.equal(page.total, expected.length);
      listed.push(...page.items);
      if (page.items.length < 100) break;
    }
    const byId = (cards: TitleCard[]) => [...cards].sort((a, b) => a.id.localeCompare(b.id));
    assert.deepEqual(byId(listed), byId(expected));
    for (let i = 1; i < listed.length; i++) {
      assert.ok(listed[i - 1].updatedAt >= listed[i].updatedAt, 'newest first');
    }
    const scan = server.app.get(CatalogScanReader);
    const [fromIndex, fromScan] = await Promise.all([catalog.facets(), scan.facets({})]);
    assert.equal(fromIndex.total, fromScan.total);
    assert.deepEqual(byValue(fromIndex.kinds), byValue(fromScan.kinds));
    assert.deepEqual(
      byValue(fromIndex.genres).map((f) => ({ ...f, value: f.value.toLowerCase() })),
      byValue(fromScan.genres).map((f) => ({ ...f, value: f.value.toLowerCase() })),
    );
    assert.deepEqual(byValue(fromIndex.years), byValue(fromScan.years));

    // The token sets: exactly the titles whose tokens they are.
    const gen = (await index.meta()).current!;
    const redis = server.app.get(RedisClient).client;
    const titles = await server.app.get(TitleRepository).model.find({}).lean<Title[]>().exec();
    const want = new Map<string, string[]>();
    for (const title of titles) {
      for (const token of catalogEntry(title).t)
        want.set(token, [...(want.get(token) ?? []), String(title._id)]);
    }
    const tokens = await redis.zrange(index.key(gen, 'tokens'), '0', '-1');
    assert.deepEqual([...tokens].sort(), [...want.keys()].sort());
    for (const token of tokens) {
      const members = await redis.smembers(index.key(gen, `tok:${token}`));
      assert.deepEqual(members.sort(), want.get(token)!.sort(), `ids of token "${token}"`);
    }
  }
});

function byValue(counts: FacetCount[]): FacetCount[] {
  return [...counts].sort((a, b) => a.value.localeCompare(b.value));
}
