import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Types } from 'mongoose';
import { EpisodeCommentRepository } from '../../src/library/episode-comment.repository.js';
import { EPISODE_COMMENTS_KEPT } from '../../src/library/schemas/episode-comments.schema.js';
import { LibraryService } from '../../src/library/library.service.js';
import { BROWSER_ACCEPT as BROWSER } from '../support/site-app.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { TestClient } from '../support/http.js';
import { type InProcessApp, signInAdmin, startInProcessApp } from '../support/in-process-app.js';
import { createMediaFile } from '../support/library-fixtures.js';

const HOSTILE = '<script>alert("x")</script> & "quoted"';

describe('comments on episodes', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let admin: TestClient;
  let showId: Types.ObjectId;
  let episodeOne: Types.ObjectId;
  let base: string;

  before(async () => {
    db = await startTestDatabase();
    server = await startInProcessApp({ MONGODB_URI: db.uri, ROLE: 'all' });
    const library = server.app.get(LibraryService);
    const show = await library.upsertSkeleton({ kind: 'series', name: 'Comment Coast', year: 2022 });
    showId = show._id;
    episodeOne = await createMediaFile(server.app, 'Comment.Coast.S01E01.mkv');
    await library.attachFiles(showId, [
      { fileId: episodeOne, placement: { season: 1, episodes: [1] } },
      {
        fileId: await createMediaFile(server.app, 'Comment.Coast.S01E02.mkv'),
        placement: { season: 1, episodes: [2] },
      },
    ]);
    base = `/api/titles/${String(showId)}/episodes`;
    admin = await signInAdmin(server);
  });
  after(async () => {
    await server?.close();
    await db?.stop();
  });

  const guest = async () => {
    const client = new TestClient(server.url);
    await client.get('/'); // the guest cookie a first page view gives
    return client;
  };

  it('are posted per episode, listed newest first, and kept apart from the title and other episodes', async () => {
    const viewer = await guest();
    for (const body of ['first', 'second']) {
      const res = await viewer.post(`${base}/1/1/comments`, { body: `  ${body}  ` });
      assert.equal(res.status, 201);
      assert.equal(res.body.body, body, 'trimmed');
      assert.deepEqual([res.body.season, res.body.episode], [1, 1]);
    }
    const listed = await viewer.get(`${base}/1/1/comments`);
    assert.equal(listed.status, 200);
    assert.deepEqual(
      (listed.body.items as { body: string }[]).map((comment) => comment.body),
      ['second', 'first'],
    );
    assert.equal(listed.body.total, 2);
    assert.equal((await viewer.get(`${base}/1/2/comments`)).body.total, 0);
    assert.equal((await viewer.get(`/api/titles/${String(showId)}/comments`)).body.total, 0);
    const paged = await viewer.get(`${base}/1/1/comments?page=2&pageSize=1`);
    assert.deepEqual(
      (paged.body.items as { body: string }[]).map((comment) => comment.body),
      ['first'],
    );
  });

  it("are shown escaped on the episode's player page, with delete buttons for admins only", async () => {
    const viewer = await guest();
    assert.equal((await viewer.post(`${base}/1/1/comments`, { body: HOSTILE })).status, 201);
    const html = String((await viewer.get(`/play/${String(episodeOne)}`, BROWSER)).body);
    assert.match(html, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; &amp; &quot;quoted&quot;/);
    assert.doesNotMatch(html, /<script>alert/);
    assert.match(html, new RegExp(`data-comments-url="${base}/1/1/comments"`));
    assert.doesNotMatch(html, /delete-comment/);
    const asAdmin = String((await admin.get(`/play/${String(episodeOne)}`, BROWSER)).body);
    assert.match(asAdmin, /class="danger delete-comment"/);
  });

  it('refuses empty, oversize and misaddressed comments with a clear 4xx', async () => {
    const cases: [string, unknown, number][] = [
      [`${base}/1/1/comments`, { body: '   ' }, 400],
      [`${base}/1/1/comments`, { body: 'x'.repeat(2001) }, 400],
      [`${base}/1/1/comments`, {}, 400],
      [`${base}/1/9/comments`, { body: 'no such episode' }, 404],
      [`${base}/7/1/comments`, { body: 'no such season' }, 404],
      [`${base}/x/1/comments`, { body: 'bad season' }, 400],
      [`${base}/-1/1/comments`, { body: 'negative' }, 400],
      [`/api/titles/0123456789abcdef01234567/episodes/1/1/comments`, { body: 'no title' }, 404],
    ];
    for (const [path, json, status] of cases) {
      // A new guest each time: refused posts count against the rate limit too.
      const res = await (await guest()).post(path, json);
      assert.equal(res.status, status, `${path} ${JSON.stringify(json).slice(0, 40)}`);
      assert.deepEqual(Object.keys(res.body).sort(), ['error', 'message']);
    }
  });

  it('share the comment rate limit (5 a minute per identity) with title comments', async () => {
    const viewer = await guest();
    for (let i = 0; i < 3; i++)
      assert.equal((await viewer.post(`${base}/1/2/comments`, { body: `e${i}` })).status, 201);
    for (let i = 0; i < 2; i++) {
      assert.equal(
        (await viewer.post(`/api/titles/${String(showId)}/comments`, { body: `t${i}` })).status,
        201,
      );
    }
    const limited = await viewer.post(`${base}/1/2/comments`, { body: 'one too many' });
    assert.equal(limited.status, 429);
    assert.deepEqual(Object.keys(limited.body).sort(), ['error', 'message']);
  });

  it('limit the guests of one client address together (20 a minute), however many cookies they shed', async () => {
    // Behind the app's trusted (loopback) proxy, X-Forwarded-For names the client.
    const from = { 'x-forwarded-for': '203.0.113.7' };
    for (let i = 0; i < 20; i++) {
      const path = i % 2 ? `/api/titles/${String(showId)}/comments` : `${base}/1/1/comments`;
      assert.equal((await (await guest()).post(path, { body: `spam ${i}` }, from)).status, 201, `post ${i}`);
    }
    const limited = await (await guest()).post(`${base}/1/1/comments`, { body: 'one too many' }, from);
    assert.equal(limited.status, 429, 'a fresh guest cookie from the same address');
    assert.deepEqual(Object.keys(limited.body).sort(), ['error', 'message']);
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
    const sameSlash64 = { 'x-forwarded-for': '2001:db8:1:2::1' };
    for (let i = 0; i < 20; i++) {
      const one = { 'x-forwarded-for': `2001:db8:1:2:${i.toString(16)}::${i + 2}` };
      assert.equal(
        (await (await guest()).post(`${base}/1/1/comments`, { body: `v6 ${i}` }, one)).status,
        201,
      );
    }
    assert.equal(
      (await (await guest()).post(`${base}/1/1/comments`, { body: 'v6 more' }, sameSlash64)).status,
      429,
      'an IPv6 client counts by its /64',
    );
    const elsewhere = { 'x-forwarded-for': '198.51.100.9' };
    assert.equal(
      (await (await guest()).post(`${base}/1/1/comments`, { body: 'neighbour' }, elsewhere)).status,
      201,
    );
    assert.equal(
      (await admin.post(`${base}/1/1/comments`, { body: 'signed in' }, from)).status,
      201,
      'accounts are not',
    );
  });

  it('at the cap, a guest comment only pushes out guest comments; a full thread of accounts is closed to guests', async () => {
    const threads = server.app.get(EpisodeCommentRepository);
    const ref = { titleId: showId, season: 1, episode: 1 };
    const at = (index: number) => new Date(Date.UTC(2026, 0, 1) - index * 1000);
    const old = Array.from({ length: EPISODE_COMMENTS_KEPT }, (_, index) => ({
      _id: new Types.ObjectId(),
      authorId: index === EPISODE_COMMENTS_KEPT - 1 || index === 3 ? 'user-1' : `guest:${index}`,
      authorName: 'Someone',
      body: `old ${index}`,
      createdAt: at(index),
    }));
    await threads.save(ref, old);
    assert.equal((await (await guest()).post(`${base}/1/1/comments`, { body: 'guest newest' })).status, 201);
    let bodies = (await threads.find(ref))?.comments.map((comment) => comment.body) ?? [];
    assert.equal(bodies.length, EPISODE_COMMENTS_KEPT);
    assert.equal(bodies[0], 'guest newest');
    assert.ok(bodies.includes(`old ${EPISODE_COMMENTS_KEPT - 1}`), "the oldest, an account's, is kept");
    assert.ok(!bodies.includes(`old ${EPISODE_COMMENTS_KEPT - 2}`), 'the oldest guest comment went instead');

    await threads.save(
      ref,
      old.map((comment) => ({ ...comment, authorId: 'user-1' })),
    );
    const refused = await (await guest()).post(`${base}/1/1/comments`, { body: 'no room' });
    assert.equal(refused.status, 409);
    assert.deepEqual(Object.keys(refused.body).sort(), ['error', 'message']);
    assert.equal((await admin.post(`${base}/1/1/comments`, { body: 'account newest' })).status, 201);
    bodies = (await threads.find(ref))?.comments.map((comment) => comment.body) ?? [];
    assert.deepEqual([bodies.length, bodies[0]], [EPISODE_COMMENTS_KEPT, 'account newest']);
    assert.ok(!bodies.includes(`old ${EPISODE_COMMENTS_KEPT - 1}`), 'an account still makes room as before');
    await threads.save(ref, []);
  });

  it('are deleted by admins only', async () => {
    const viewer = await guest();
    const posted = await viewer.post(`${base}/1/2/comments`, { body: 'to be removed' });
    const path = `${base}/1/2/comments/${String(posted.body.id)}`;
    assert.equal((await viewer.delete(path)).status, 401);
    assert.equal((await admin.delete(path)).status, 204);
    assert.equal((await admin.delete(path)).status, 404);
    const left = (await viewer.get(`${base}/1/2/comments`)).body.items as { body: string }[];
    assert.ok(!left.some((comment) => comment.body === 'to be removed'));
  });

  it('keep the newest 500 of an episode in its one document', async () => {
    const threads = server.app.get(EpisodeCommentRepository);
    const ref = { titleId: showId, season: 1, episode: 2 };
    const start = Date.UTC(2026, 0, 1);
    const old = Array.from({ length: EPISODE_COMMENTS_KEPT }, (_, index) => ({
      _id: new Types.ObjectId(),
      authorId: 'guest:old',
      authorName: 'Guest',
      body: `old ${index}`,
      createdAt: new Date(start - index * 1000),
    }));
    await threads.save(ref, old);
    const viewer = await guest();
    assert.equal((await viewer.post(`${base}/1/2/comments`, { body: 'newest' })).status, 201);
    const thread = await threads.find(ref);
    assert.equal(thread?.comments.length, EPISODE_COMMENTS_KEPT);
    assert.equal(thread?.comments[0].body, 'newest');
    assert.equal(thread?.comments.at(-1)?.body, `old ${EPISODE_COMMENTS_KEPT - 2}`, 'the oldest dropped');
    assert.equal((await viewer.get(`${base}/1/2/comments`)).body.total, EPISODE_COMMENTS_KEPT);
  });

  it('go with their title and episode when those are deleted', async () => {
    const threads = server.app.get(EpisodeCommentRepository);
    const library = server.app.get(LibraryService);
    assert.ok(await threads.find({ titleId: showId, season: 1, episode: 2 }));
    await library.deleteEpisode(showId, 1, 2);
    assert.equal(await threads.find({ titleId: showId, season: 1, episode: 2 }), null);
    assert.ok(await threads.find({ titleId: showId, season: 1, episode: 1 }));
    await library.deleteTitle(showId);
    assert.equal(await threads.find({ titleId: showId, season: 1, episode: 1 }), null);
  });
});
