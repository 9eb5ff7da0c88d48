import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getQueueToken } from '@nestjs/bullmq';
import { type Queue } from 'bullmq';
import { Types } from 'mongoose';
import { QueueName } from '../../src/core/queue/queue-names.js';
import { LibraryService } from '../../src/library/library.service.js';
import { EnrichmentRequests } from '../../src/library/metadata/enrichment-requests.js';
import { type Title } from '../../src/library/schemas/title.schema.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { startFixtureServer } from '../support/fixture-server.js';
import { TestClient } from '../support/http.js';
import { startInProcessApp, type InProcessApp, signInAdmin } from '../support/in-process-app.js';
import { testVideo } from '../support/media.js';
import { startMetadataStub } from '../support/metadata-stub.js';

describe('metadata enrichment (TMDB and Jikan, through the enrich job)', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let admin: TestClient;
  let fixture: Awaited<ReturnType<typeof startFixtureServer>>;
  let stub: Awaited<ReturnType<typeof startMetadataStub>>;

  before(async () => {
    db = await startTestDatabase();
    fixture = await startFixtureServer({ body: testVideo(2).bytes });
    stub = await startMetadataStub({
      movies: [
        {
          id: 603,
          title: 'Signal Path',
          year: 2019,
          overview: 'A test pattern learns to speak.',
          genres: ['Drama', 'Science Fiction'],
          imdb: 'tt0133093',
        },
        {
          id: 604,
          title: 'Down Time',
          year: 2020,
          overview: 'Waiting.',
          genres: ['Comedy'],
          imdb: 'tt0000604',
        },
        {
          id: 605,
          title: 'Edited Later',
          year: 2018,
          overview: 'Edits.',
          genres: ['Drama'],
          imdb: 'tt0000605',
        },
      ],
      anime: [
        {
          malId: 5114,
          title: 'Hagane no Renkinjutsushi',
          english: 'Fullmetal Alchemist Brotherhood',
          japanese: '鋼の錬金術師',
          year: 2009,
          synopsis: 'Two brothers.',
        },
      ],
      manga: [
        {
          malId: 2,
          title: 'Berserk',
          english: 'Berserk',
          japanese: 'ベルセルク',
          year: 1989,
          synopsis: 'Guts, a former mercenary.',
          genres: ['Action', 'Drama'],
        },
      ],
    });
    server = await startInProcessApp({
      MONGODB_URI: db.uri,
      ROLE: 'all',
      INGEST_ALLOW_HOSTS: `127.0.0.1:${fixture.port}`,
      ...stub.env,
    });
    admin = await signInAdmin(server);
  });
  after(async () => {
    await server?.close();
    await fixture?.close();
    await stub?.close();
    await db?.stop();
  });

  const library = () => server.app.get(LibraryService);
  const titleNow = (id: Types.ObjectId) => library().requireTitle(id);
  const untilEnriched = (id: Types.ObjectId, accept: (title: Title) => boolean) =>
    eventually(() => titleNow(id), accept, { timeoutMs: 30000, intervalMs: 200, what: 'enrichment' });

  it('files an ingested movie as a skeleton, then the enrich job describes it from TMDB', async () => {
    const submitted = await admin.post('/api/ingest', {
      url: fixture.url('/Signal.Path.2019.1080p.WEB.mp4'),
    });
    const task = await eventually(
      async () => (await admin.get(`/api/ingest/${String(submitted.body.taskId)}`)).body,
      (t) => t.state === 'done' || t.state === 'failed',
      { timeoutMs: 60000, intervalMs: 200, what: 'ingest done' },
    );
    assert.equal(task.state, 'done', String(task.error));
    const title = await untilEnriched(
      new Types.ObjectId(String(task.titleId)),
      (t) => t.enrichment !== undefined,
    );
    assert.equal(title.enrichment?.state, 'matched', title.enrichment?.detail);
    assert.equal(title.enrichment?.provider, 'tmdb');
    assert.equal(title.name, 'Signal Path');
    assert.equal(title.overview, 'A test pattern learns to speak.');
    assert.deepEqual(title.genres, ['Drama', 'Science Fiction']);
    assert.equal(title.poster, `${stub.env.TMDB_IMAGE_BASE_URL}/w500/poster-603.jpg`);
    assert.deepEqual({ ...title.externalIds }, { tmdb: 603, imdb: 'tt0133093' });
    assert.ok(
      stub.requests.some((path) => path.startsWith('/3/search/movie?') && path.includes('year=2019')),
    );
  });

  it('describes anime from Jikan, keeping the filed name as an alias', async () => {
    const skeleton = await library().upsertSkeleton({
      kind: 'anime',
      name: 'Fullmetal Alchemist Brotherhood',
    });
    await server.app.get(EnrichmentRequests).request(skeleton._id);
    const title = await untilEnriched(skeleton._id, (t) => t.enrichment !== undefined);
    assert.equal(title.enrichment?.state, 'matched', title.enrichment?.detail);
    assert.equal(title.enrichment?.provider, 'jikan');
    assert.equal(title.externalIds.mal, 5114);
    assert.equal(title.originalName, '鋼の錬金術師');
    assert.ok(title.aliases.includes('Hagane no Renkinjutsushi'));
    assert.equal(title.year, 2009);
  });

  it("describes manga from Jikan's manga endpoint, keeps admin edits, and leaves an unknown one a skeleton", async () => {
    const skeleton = await library().upsertSkeleton({ kind: 'manga', name: 'Berserk' });
    await server.app.get(EnrichmentRequests).request(skeleton._id);
    const title = await untilEnriched(skeleton._id, (t) => t.enrichment !== undefined);
    assert.equal(title.enrichment?.state, 'matched', title.enrichment?.detail);
    assert.equal(title.enrichment?.provider, 'jikan');
    assert.equal(title.externalIds.mal, 2);
    assert.equal(title.year, 1989);
    assert.equal(title.originalName, 'ベルセルク');
    assert.deepEqual(title.genres, ['Action', 'Drama']);
    assert.ok(stub.requests.some((path) => path.startsWith('/v4/manga?q=Berserk')));
    assert.ok(!stub.requests.some((path) => path.startsWith('/v4/anime?q=Berserk')));

    const patched = await admin.patch(`/api/titles/${String(skeleton._id)}`, { overview: 'Told by hand.' });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    await admin.post(`/api/titles/${String(skeleton._id)}/enrich`, {});
    const again = await untilEnriched(skeleton._id, (t) => t.enrichment!.at > title.enrichment!.at);
    assert.equal(again.overview, 'Told by hand.');
    assert.equal(again.enrichment?.state, 'matched');

    const unknown = await library().upsertSkeleton({ kind: 'manga', name: 'Nobody Drew This' });
    await server.app.get(EnrichmentRequests).request(unknown._id);
    const left = await untilEnriched(unknown._id, (t) => t.enrichment !== undefined);
    assert.equal(left.enrichment?.state, 'no-match');
    assert.equal(left.name, 'Nobody Drew This');
  });

  it('keeps an admin edit on re-enrichment (POST /api/titles/:id/enrich), answering from the cache', async () => {
    const skeleton = await library().upsertSkeleton({ kind: 'movie', name: 'Edited Later', year: 2018 });
    await server.app.get(EnrichmentRequests).request(skeleton._id);
    const matched = await untilEnriched(skeleton._id, (t) => t.enrichment?.state === 'matched');
    const asked = stub.requests.length;
    await server.app.get(EnrichmentRequests).request(skeleton._id);
    const first = await untilEnriched(skeleton._id, (t) => t.enrichment!.at > matched.enrichment!.at);
    assert.equal(stub.requests.length, asked, 'the same lookup was answered from the Redis cache');
    const patched = await admin.patch(`/api/titles/${String(skeleton._id)}`, { name: 'Edited By Hand' });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    const searches = stub.requests.length;

    const queued = await admin.post(`/api/titles/${String(skeleton._id)}/enrich`, {});
    assert.equal(queued.status, 202);
    // Enrichment looks the title up by its (now edited) name; the catalogue does not know that name.
    const again = await untilEnriched(skeleton._id, (t) => t.enrichment!.at > first.enrichment!.at);
    assert.equal(again.name, 'Edited By Hand');
    assert.equal(again.overview, 'Edits.');
    assert.equal(again.enrichment?.state, 'no-match');
    assert.ok(stub.requests.length > searches, 'the new name was looked up');

    const unknown = await admin.post(`/api/titles/${new Types.ObjectId().toHexString()}/enrich`, {});
    assert.equal(unknown.status, 404);
    const viewer = new TestClient(server.url);
    assert.equal((await viewer.post(`/api/titles/${String(skeleton._id)}/enrich`, {})).status, 401);
  });

  it('leaves the skeleton while the catalogue is down, and the retried job describes it later', async () => {
    stub.state.down = true;
    const skeleton = await library().upsertSkeleton({ kind: 'movie', name: 'Down Time', year: 2020 });
    await server.app.get(EnrichmentRequests).request(skeleton._id);
    const waiting = await untilEnriched(skeleton._id, (t) => t.enrichment?.state === 'unavailable');
    assert.match(waiting.enrichment?.detail ?? '', /503/);
    assert.equal(waiting.overview, undefined);

    const queue = server.app.get<Queue>(getQueueToken(QueueName.Library));
    const job = await eventually(
      () => queue.getJob(`enrich-${String(skeleton._id)}`),
      (found) => found !== undefined && found.attemptsMade >= 1,
      { what: 'the enrich job waiting to be retried' },
    );
    assert.equal(await job!.getState(), 'delayed');

    stub.state.down = false;
    await job!.promote(); // the backoff is a minute; run the retry now
    const described = await untilEnriched(skeleton._id, (t) => t.enrichment?.state === 'matched');
    assert.equal(described.overview, 'Waiting.');
    assert.equal(described.externalIds.tmdb, 604);
  });
});
