import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Types } from 'mongoose';
import { CatalogRebuilder } from '../../src/library/catalog/catalog-rebuilder.js';
import { LibraryService } from '../../src/library/library.service.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { HostClient } from '../support/host-client.js';
import { type TestClient } from '../support/http.js';
import { type InProcessApp, signInAdmin, startInProcessApp } from '../support/in-process-app.js';
import { storeFile } from '../support/library-fixtures.js';
import { randomFile } from '../support/media.js';

const ANIME = 'anime.example.com';

describe('franchise: a tenant shows its scope of the library', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let operator: TestClient;
  let tenantId: string;
  const ids: Record<string, string> = {};
  const files: Record<string, string> = {};

  before(async () => {
    db = await startTestDatabase();
    server = await startInProcessApp({ MONGODB_URI: db.uri, ROLE: 'manager,streamer' });
    operator = await signInAdmin(server);
    const library = server.app.get(LibraryService);
    for (const [name, kind, genres] of [
      ['Cowboy Bebop', 'anime', ['Sci-Fi']],
      ['Heat', 'movie', ['Crime']],
      ['Alien', 'movie', ['Horror', 'Sci-Fi']],
      ['Dark', 'series', ['Mystery']],
    ] as const) {
      const title = await library.upsertSkeleton({ kind, name, year: 2000 });
      await library.updateTitle(title._id, { genres: [...genres] });
      ids[name] = String(title._id);
    }
    for (const name of ['Cowboy Bebop', 'Alien', 'Dark']) {
      const { path } = randomFile(4096);
      const file = await storeFile(server.app, path, `${name}.mkv`);
      rmSync(dirname(path), { recursive: true, force: true });
      const placement = name === 'Alien' ? {} : { season: 1, episodes: [1] };
      await library.attachFile(new Types.ObjectId(ids[name]), file._id, placement);
      files[name] = String(file._id);
    }
    await server.app.get(CatalogRebuilder).rebuild('test');
    const created = await operator.post('/api/tenants', {
      slug: 'anime',
      name: 'Anime Only',
      domains: [ANIME],
      scope: { mode: 'filtered', kinds: ['anime'], collections: [ids.Heat] },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    tenantId = String(created.body.id);
  });
  after(async () => {
    await server?.close();
    await db?.stop();
  });

  const names = (body: unknown) =>
    ((body as { items: { name: string }[] }).items ?? []).map((t) => t.name).sort();

  it('lists and searches only titles of its kinds and collection; the operator sees everything', async () => {
    const anime = new HostClient(server.url, ANIME);
    const listed = await anime.get('/api/titles');
    assert.equal(listed.status, 200);
    assert.deepEqual(names(listed.body), ['Cowboy Bebop', 'Heat']);
    assert.equal(listed.body.total, 2);
    assert.deepEqual(names((await anime.get('/api/titles?q=alien')).body), []);
    assert.deepEqual(names((await anime.get('/api/titles?q=heat')).body), ['Heat']);
    assert.deepEqual(names((await anime.get('/api/titles?kind=movie')).body), ['Heat']);
    const facets = await anime.get('/api/titles/facets');
    assert.equal(facets.status, 200, facets.text);
    const counts = (list: unknown) =>
      Object.fromEntries(
        (list as { value: string; count: number }[]).map(({ value, count }) => [value, count]),
      );
    assert.equal(facets.body.total, 2);
    assert.deepEqual(counts(facets.body.kinds), { anime: 1, movie: 1 });
    assert.deepEqual(counts(facets.body.genres), { 'Sci-Fi': 1, Crime: 1 });
    const movies = await anime.get('/api/titles/facets?kind=movie');
    assert.deepEqual([movies.body.total, counts(movies.body.genres)], [1, { Crime: 1 }]);
    assert.equal((await operator.get('/api/titles/facets')).body.total, 4);
    const everything = await operator.get('/api/titles');
    assert.deepEqual(names(everything.body), ['Alien', 'Cowboy Bebop', 'Dark', 'Heat']);
  });

  it('answers 404 (not 403) for a title or file outside the scope, on the API, the pages and signing', async () => {
    const anime = new HostClient(server.url, ANIME);
    await anime.get('/'); // a guest identity, which signing needs
    assert.equal((await anime.get(`/api/titles/${ids.Alien}`)).status, 404);
    assert.equal((await anime.get(`/api/titles/${ids['Cowboy Bebop']}`)).status, 200);
    assert.equal((await anime.get(`/title/${ids.Alien}`, { accept: 'text/html' })).status, 404);
    assert.equal((await anime.get(`/title/${ids.Heat}`, { accept: 'text/html' })).status, 200);
    assert.equal((await anime.get(`/play/${files.Alien}`, { accept: 'text/html' })).status, 404);
    const outside = await anime.post('/sign', { fileId: files.Alien });
    assert.deepEqual([outside.status, outside.body.error], [404, 'not_found']);
    const inside = await anime.post('/sign', { fileId: files['Cowboy Bebop'] });
    assert.equal(inside.status, 200, inside.text);
    const url = new URL(String(inside.body.url));
    assert.equal((await anime.get(`${url.pathname}${url.search}`)).status, 200);
  });

  it('keeps the comments of titles outside the scope out of reach: 404, as the title itself', async () => {
    const anime = new HostClient(server.url, ANIME);
    await anime.get('/'); // a guest identity, which commenting needs
    for (const path of [
      `/api/titles/${ids.Alien}/comments`,
      `/api/titles/${ids.Dark}/episodes/1/1/comments`,
    ]) {
      assert.equal((await anime.get(path)).status, 404, path);
      const posted = await anime.post(path, { body: 'leak' });
      assert.deepEqual([posted.status, posted.body.error], [404, 'not_found'], path);
    }
    // Which episodes an outside series has is not told either.
    assert.equal((await anime.get(`/api/titles/${ids.Dark}/episodes/1/9/comments`)).status, 404);
    assert.equal((await anime.get(`/api/titles/${ids['Cowboy Bebop']}/episodes/1/1/comments`)).status, 200);
    assert.equal((await anime.get(`/api/titles/${ids.Heat}/comments`)).status, 200);
    assert.equal((await operator.get(`/api/titles/${ids.Alien}/comments`)).status, 200);
  });

  it("shows each site its own home rows and its facets largest first, even when two sites' counts agree", async () => {
    const library = server.app.get(LibraryService);
    const predator = await library.upsertSkeleton({ kind: 'movie', name: 'Predator', year: 1987 });
    await library.updateTitle(predator._id, { genres: ['Horror', 'Sci-Fi'] });
    const sites: Record<string, string> = {
      'pick-a.example.com': ids.Alien,
      'pick-b.example.com': String(predator._id),
    };
    for (const [domain, titleId] of Object.entries(sites)) {
      const created = await operator.post('/api/tenants', {
        slug: domain.split('.')[0],
        name: domain,
        domains: [domain],
        scope: { mode: 'filtered', collections: [titleId] },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
    }
    const home = async (domain: string) =>
      (await new HostClient(server.url, domain).get('/', { accept: 'text/html' })).text;
    try {
      assert.match(await home('pick-a.example.com'), />Alien</);
      const b = await home('pick-b.example.com');
      assert.match(b, />Predator</);
      assert.doesNotMatch(b, />Alien</);
    } finally {
      await library.deleteTitle(predator._id);
    }

    // A site of horror titles in a library of mostly Sci-Fi: its own counts order its genres.
    const added = [];
    for (const [name, genres] of [
      ['Solaris', ['Sci-Fi']],
      ['Moon', ['Sci-Fi']],
      ['Gravity', ['Sci-Fi']],
      ['Hellraiser', ['Horror']],
      ['Event Horizon', ['Horror', 'Sci-Fi']],
    ] as const) {
      const title = await library.upsertSkeleton({ kind: 'movie', name, year: 1997 });
      await library.updateTitle(title._id, { genres: [...genres] });
      added.push(title._id);
    }
    try {
      const horror = await operator.post('/api/tenants', {
        slug: 'horror',
        name: 'Horror',
        domains: ['horror.example.com'],
        scope: { mode: 'filtered', genres: ['Horror'] },
      });
      assert.equal(horror.status, 201, JSON.stringify(horror.body));
      const facets = await new HostClient(server.url, 'horror.example.com').get('/api/titles/facets');
      assert.deepEqual(facets.body.genres, [
        { value: 'Horror', count: 3 },
        { value: 'Sci-Fi', count: 2 },
      ]);
    } finally {
      for (const id of added) await library.deleteTitle(id);
    }
  });

  it('keeps a title leaving or entering the scope in step at once: list, search, page and totals', async () => {
    const library = server.app.get(LibraryService);
    const made: Record<string, string> = {};
    for (const [name, genres] of [
      ['Tombstone', ['Western']],
      ['Unforgiven', ['Western']],
      ['Rango', ['Animation']],
    ] as const) {
      const title = await library.upsertSkeleton({ kind: 'movie', name, year: 1993 });
      await library.updateTitle(title._id, { genres: [...genres] });
      made[name] = String(title._id);
    }
    const created = await operator.post('/api/tenants', {
      slug: 'west',
      name: 'Westerns',
      domains: ['west.example.com'],
      scope: { mode: 'filtered', genres: ['Western'] },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const west = new HostClient(server.url, 'west.example.com');
    const shown = async () => {
      const listed = await west.get('/api/titles');
      const facets = await west.get('/api/titles/facets');
      return {
        // Newest first, as listed.
        listed: (listed.body.items as { name: string }[]).map((t) => t.name),
        total: listed.body.total as number,
        facetsTotal: facets.body.total as number,
      };
    };
    const found = async (q: string) => names((await west.get(`/api/titles?q=${q}`)).body);
    try {
      // Built the tenant's scope (the reads below reuse it).
      assert.deepEqual(await shown(), { listed: ['Unforgiven', 'Tombstone'], total: 2, facetsTotal: 2 });

      const left = await operator.patch(`/api/titles/${made.Tombstone}`, { genres: ['Drama'] });
      assert.equal(left.status, 200, JSON.stringify(left.body));
      assert.deepEqual(await shown(), { listed: ['Unforgiven'], total: 1, facetsTotal: 1 });
      assert.deepEqual(await found('tombstone'), []);
      assert.equal((await west.get(`/api/titles/${made.Tombstone}`)).status, 404);

      const entered = await operator.patch(`/api/titles/${made.Rango}`, { genres: ['Western'] });
      assert.equal(entered.status, 200, JSON.stringify(entered.body));
      // The newest edit lists first.
      assert.deepEqual(await shown(), { listed: ['Rango', 'Unforgiven'], total: 2, facetsTotal: 2 });
      assert.deepEqual(await found('rango'), ['Rango']);
      assert.equal((await west.get(`/api/titles/${made.Rango}`)).status, 200);

      assert.equal((await operator.delete(`/api/titles/${made.Unforgiven}`)).status, 204);
      const deleted = made.Unforgiven;
      delete made.Unforgiven;
      assert.deepEqual(await shown(), { listed: ['Rango'], total: 1, facetsTotal: 1 });
      assert.deepEqual(await found('unforgiven'), []);
      assert.equal((await west.get(`/api/titles/${deleted}`)).status, 404);
    } finally {
      for (const id of Object.values(made)) await library.deleteTitle(new Types.ObjectId(id));
    }
  });

  it('follows a change of scope at once', async () => {
    const changed = await operator.patch(`/api/tenants/${tenantId}`, {
      scope: { mode: 'filtered', genres: ['horror'] },
    });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    const anime = new HostClient(server.url, ANIME);
    assert.deepEqual(names((await anime.get('/api/titles')).body), ['Alien']);
    assert.equal((await anime.get(`/api/titles/${ids.Alien}`)).status, 200);
    assert.equal((await anime.get(`/api/titles/${ids['Cowboy Bebop']}`)).status, 404);
  });
});
