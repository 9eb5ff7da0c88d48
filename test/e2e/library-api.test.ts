import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LibraryService } from '../../src/library/library.service.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { TestClient } from '../support/http.js';
import { startInProcessApp, type InProcessApp, signInAdmin } from '../support/in-process-app.js';
import { createMediaFile } from '../support/library-fixtures.js';

describe('library HTTP API', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let admin: TestClient;
  let showId: string;
  let fileIds: string[];

  before(async () => {
    db = await startTestDatabase();
    server = await startInProcessApp({ MONGODB_URI: db.uri, ROLE: 'manager' });
    admin = await signInAdmin(server);

    const library = server.app.get(LibraryService);
    const show = await library.upsertSkeleton({ kind: 'series', name: 'The Expanse', year: 2015 });
    const files = [
      await createMediaFile(server.app),
      await createMediaFile(server.app),
      await createMediaFile(server.app),
    ];
    await library.attachFile(show._id, files[0], { season: 1, episodes: [1] });
    await library.attachFile(show._id, files[1], { season: 1, episodes: [2] });
    await library.attachFile(show._id, files[2], { season: 2, episodes: [1] });
    await library.upsertSkeleton({ kind: 'movie', name: 'Expanding Universe', year: 2020 });
    await library.upsertSkeleton({ kind: 'movie', name: 'Heat', year: 1995 });
    showId = String(show._id);
    fileIds = files.map(String);
  });
  after(async () => {
    await server?.close();
    await db?.stop();
  });

  it('searches by word prefix with filters and pagination', async () => {
    const guest = new TestClient(server.url);
    const res = await guest.get('/api/titles?q=expan');
    assert.equal(res.status, 200);
    assert.deepEqual((res.body.items as { name: string }[]).map((t) => t.name).sort(), [
      'Expanding Universe',
      'The Expanse',
    ]);
    const movies = await guest.get('/api/titles?q=expan&kind=movie');
    assert.deepEqual(
      (movies.body.items as { name: string }[]).map((t) => t.name),
      ['Expanding Universe'],
    );
    const paged = await guest.get('/api/titles?pageSize=1&page=2');
    assert.equal((paged.body.items as unknown[]).length, 1);
    assert.equal(paged.body.total, 3);
  });

  it('shows a title with its buckets, and a file with its tracks', async () => {
    const title = await new TestClient(server.url).get(`/api/titles/${showId}`);
    assert.equal(title.status, 200);
    assert.deepEqual(
      (title.body.seasons as { number: number; episodes: { number: number }[] }[]).map((s) => [
        s.number,
        s.episodes.map((e) => e.number),
      ]),
      [
        [1, [1, 2]],
        [2, [1]],
      ],
    );
    assert.equal(title.body.searchTokens, undefined);
    const file = await new TestClient(server.url).get(`/api/files/${fileIds[0]}`);
    assert.equal(file.status, 200);
    assert.deepEqual(file.body.subtitleTracks, []);
    assert.equal(file.body.titleId, showId);
  });

  it('lets an admin edit, locking the edited fields', async () => {
    const res = await admin.patch(`/api/titles/${showId}`, {
      overview: 'Edited by hand',
      genres: ['Sci-Fi'],
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.lockedFields, ['overview', 'genres']);
    const blank = await admin.patch(`/api/titles/${showId}`, { name: '   ' });
    assert.equal(blank.status, 400);
    assert.match(String(blank.body.message), /name must not be blank/);
  });

  it('deletes one file and then one episode', async () => {
    assert.equal((await admin.delete(`/api/titles/${showId}/files/${fileIds[2]}`)).status, 204);
    assert.equal((await admin.delete(`/api/titles/${showId}/seasons/1/episodes/2`)).status, 204);
    const title = await admin.get(`/api/titles/${showId}`);
    assert.deepEqual(
      (title.body.seasons as { number: number; episodes: { number: number }[] }[]).map((s) => [
        s.number,
        s.episodes.map((e) => e.number),
      ]),
      [[1, [1]]],
    );
    assert.equal((await admin.get(`/api/files/${fileIds[2]}`)).status, 404);
  });

  describe('comments', () => {
    it('any identified visitor may comment; the text is kept verbatim for escaping at render time', async () => {
      const guest = new TestClient(server.url);
      await guest.get('/api/titles');
      const posted = await guest.post(`/api/titles/${showId}/comments`, { body: '  <b>great</b> show  ' });
      assert.equal(posted.status, 201);
      assert.equal(posted.body.body, '<b>great</b> show');
      const listed = await guest.get(`/api/titles/${showId}/comments`);
      assert.equal((listed.body.items as unknown[]).length, 1);
    });

    it('refuses anonymous, empty and oversized comments, and limits the rate', async () => {
      assert.equal(
        (await new TestClient(server.url).post(`/api/titles/${showId}/comments`, { body: 'hi' })).status,
        401,
      );
      const guest = new TestClient(server.url);
      await guest.get('/api/titles');
      assert.equal((await guest.post(`/api/titles/${showId}/comments`, { body: '   ' })).status, 400);
      assert.equal(
        (await guest.post(`/api/titles/${showId}/comments`, { body: 'x'.repeat(2001) })).status,
        400,
      );
      const statuses = [];
      for (let i = 0; i < 6; i++)
        statuses.push((await guest.post(`/api/titles/${showId}/comments`, { body: `c${i}` })).status);
      assert.deepEqual(statuses.slice(0, 3), [201, 201, 201]);
      assert.equal(statuses.at(-1), 429);
    });

    it('only an admin deletes a comment', async () => {
      const guest = new TestClient(server.url);
      await guest.get('/api/titles');
      const posted = await guest.post(`/api/titles/${showId}/comments`, { body: 'to be removed' });
      assert.equal(
        (await guest.delete(`/api/titles/${showId}/comments/${String(posted.body.id)}`)).status,
        401,
      );
      assert.equal(
        (await admin.delete(`/api/titles/${showId}/comments/${String(posted.body.id)}`)).status,
        204,
      );
      assert.equal(
        (await admin.delete(`/api/titles/${showId}/comments/${String(posted.body.id)}`)).status,
        404,
      );
    });
  });

  describe('bad input is a 4xx JSON answer, never a 500', () => {
    const unknownId = '6b06f1af3ffdf6164bddafbe';
    const cases: [string, () => Promise<{ status: number; body: Record<string, unknown> }>, number][] = [
      ['an invalid id', () => admin.get('/api/titles/not-an-id'), 400],
      ['an unknown title', () => admin.get(`/api/titles/${unknownId}`), 404],
      ['an unknown file', () => admin.get(`/api/files/${unknownId}`), 404],
      ['an invalid file id', () => admin.get('/api/files/123'), 400],
      [
        'an unknown field in a PATCH',
        () => admin.patch(`/api/titles/${showId}`, { name: 'x', rating: 5 }),
        400,
      ],
      ['a wrong type in a PATCH', () => admin.patch(`/api/titles/${showId}`, { year: 'nineteen' }), 400],
      // null would blank what it names (and broke pages and catalog rebuilds): leave a field out instead.
      ['a null name in a PATCH', () => admin.patch(`/api/titles/${showId}`, { name: null }), 400],
      ['null genres in a PATCH', () => admin.patch(`/api/titles/${showId}`, { genres: null }), 400],
      [
        'null external ids in a PATCH',
        () => admin.patch(`/api/titles/${showId}`, { externalIds: null }),
        400,
      ],
      [
        'a list of external ids in a PATCH',
        () => admin.patch(`/api/titles/${showId}`, { externalIds: [] }),
        400,
      ],
      ['a PATCH of an unknown title', () => admin.patch(`/api/titles/${unknownId}`, { name: 'x' }), 404],
      ['a DELETE of an unknown title', () => admin.delete(`/api/titles/${unknownId}`), 404],
      [
        'a DELETE of a file not in the title',
        () => admin.delete(`/api/titles/${showId}/files/${unknownId}`),
        404,
      ],
      ['a non-numeric season', () => admin.delete(`/api/titles/${showId}/seasons/one/episodes/1`), 400],
      ['an unknown query parameter', () => admin.get('/api/titles?sort=evil'), 400],
      ['an out-of-range page', () => admin.get('/api/titles?page=0'), 400],
      // Deeper than 10,000 titles is refused, not answered with the deepest page again.
      ['a page past the 10,000th title', () => admin.get('/api/titles?sort=name&pageSize=100&page=102'), 400],
      ['an unknown kind', () => admin.get('/api/titles?kind=podcast'), 400],
      ['comments on an unknown title', () => admin.get(`/api/titles/${unknownId}/comments`), 404],
      [
        'a login without a password',
        () => new TestClient(server.url).post('/api/auth/login', { username: 'admin' }),
        400,
      ],
    ];
    for (const [name, call, status] of cases) {
      it(`${name} → ${status}`, async () => {
        const res = await call();
        assert.equal(res.status, status, JSON.stringify(res.body));
        assert.deepEqual(Object.keys(res.body).sort(), ['error', 'message']);
      });
    }

    it('malformed JSON → 400', async () => {
      const res = await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"username": ',
      });
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { error: string }).error, 'bad_request');
    });

    it('a prototype key anywhere in a JSON body → 400, as any unknown field', async () => {
      for (const body of ['{"__proto__":{"name":"x"}}', '{"name":"x","constructor":{"prototype":{}}}']) {
        // JSON.parse makes "__proto__" an own key, which JSON.stringify then sends as written.
        const res = await admin.patch(`/api/titles/${showId}`, JSON.parse(body));
        assert.equal(res.status, 400, body);
        assert.equal(res.body.error, 'bad_request');
        assert.match(String(res.body.message), /is not a field of any request body/);
      }
    });

    it('a body over 1 MB → 413', async () => {
      const res = await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'a', password: 'x'.repeat(1_100_000) }),
      });
      assert.equal(res.status, 413);
      assert.equal(((await res.json()) as { error: string }).error, 'payload_too_large');
    });
  });

  it('publishes the OpenAPI document', async () => {
    const res = await fetch(`${server.url}/api/docs/openapi.json`);
    assert.equal(res.status, 200);
    const paths = Object.keys(((await res.json()) as { paths: object }).paths);
    for (const path of [
      '/api/titles',
      '/api/titles/{id}',
      '/api/files/{id}',
      '/api/auth/login',
      '/api/titles/{id}/comments',
    ]) {
      assert.ok(paths.includes(path), `${path} missing from ${paths.join(', ')}`);
    }
  });
});
