import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Types } from 'mongoose';
import sharp from 'sharp';
import { ArtworkCollector } from '../../src/library/artwork/artwork-collector.js';
import { artworkPath } from '../../src/library/artwork/artwork-sizes.js';
import { LibraryService } from '../../src/library/library.service.js';
import { EnrichmentRequests } from '../../src/library/metadata/enrichment-requests.js';
import { type Title } from '../../src/library/schemas/title.schema.js';
import { TestClient } from '../support/http.js';
import { BROWSER_ACCEPT as BROWSER } from '../support/site-app.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { startInProcessApp, type InProcessApp } from '../support/in-process-app.js';
import { createMediaFile } from '../support/library-fixtures.js';
import { startMetadataStub } from '../support/metadata-stub.js';

describe('episode stills kept local', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let stub: Awaited<ReturnType<typeof startMetadataStub>>;
  let library: LibraryService;
  let showId: Types.ObjectId;

  before(async () => {
    db = await startTestDatabase();
    stub = await startMetadataStub({
      movies: [],
      anime: [],
      // Season 2 exists at the catalogue but not in our library: its stills are not asked for.
      series: [
        { id: 7001, name: 'Harbour Watch', year: 2017, overview: 'Boats.', seasons: { 1: 3, 2: 2 } },
        { id: 7002, name: 'Lighthouse Keepers', year: 2019, overview: 'Lamps.', seasons: { 1: 2 } },
      ],
    });
    server = await startInProcessApp({
      MONGODB_URI: db.uri,
      ROLE: 'all',
      // The stub is on loopback, which the SSRF guard refuses unless allowed by host and port.
      INGEST_ALLOW_HOSTS: new URL(stub.env.TMDB_BASE_URL).host,
      ...stub.env,
    });
    library = server.app.get(LibraryService);
    const show = await library.upsertSkeleton({ kind: 'series', name: 'Harbour Watch', year: 2017 });
    showId = show._id;
    await library.attachFiles(showId, [
      {
        fileId: await createMediaFile(server.app, 'Harbour.Watch.S01E01.mkv'),
        placement: { season: 1, episodes: [1] },
      },
      {
        fileId: await createMediaFile(server.app, 'Harbour.Watch.S01E02.mkv'),
        placement: { season: 1, episodes: [2] },
      },
    ]);
  });
  after(async () => {
    await server?.close();
    await stub?.close();
    await db?.stop();
  });

  const reload = async (): Promise<Title> => (await library.findTitles([showId]))[0];
  const stillHits = () => stub.requests.filter((path) => path.startsWith('/t/p/w300/still-'));

  it('enrichment finds the stills of the seasons we have; the worker fetches each once and keeps a WebP', async () => {
    await server.app.get(EnrichmentRequests).request(showId);
    const title = await eventually(
      reload,
      (found) =>
        (found.episodeStills?.length ?? 0) > 0 && found.episodeStills!.every((still) => still.artwork),
      { timeoutMs: 20_000, what: 'episode stills stored' },
    );
    assert.deepEqual(
      title.episodeStills!.map((still) => [still.season, still.episode]),
      [
        [1, 1],
        [1, 2],
        [1, 3],
      ],
      'season 1 only (the library has no season 2)',
    );
    assert.ok(stub.requests.some((path) => path.startsWith('/3/tv/7001/season/1?')));
    assert.ok(!stub.requests.some((path) => path.startsWith('/3/tv/7001/season/2')));
    assert.deepEqual(stillHits().sort(), [
      '/t/p/w300/still-7001-s1e1.jpg',
      '/t/p/w300/still-7001-s1e2.jpg',
      '/t/p/w300/still-7001-s1e3.jpg',
    ]);

    const still = await server.request(artworkPath(title.episodeStills![0].artwork!, 'w185'));
    assert.equal(still.status, 200);
    assert.equal(still.headers.get('content-type'), 'image/webp');
    const meta = await sharp(Buffer.from(await still.arrayBuffer())).metadata();
    assert.deepEqual([meta.format, meta.width], ['webp', 185]);

    // Again: nothing is fetched twice.
    await server.app.get(ArtworkCollector).collect(showId);
    assert.equal(stillHits().length, 3);
  });

  it('the title page shows each episode its catalogue still, from this site', async () => {
    const title = await reload();
    const html = await (await server.request(`/title/${String(showId)}`, { headers: BROWSER })).text();
    for (const episode of [1, 2]) {
      const still = title.episodeStills!.find((s) => s.season === 1 && s.episode === episode)!;
      const item = new RegExp(
        `data-episode="1:${episode}"[^>]*>\\s*<img class="still" src="${artworkPath(still.artwork!, 'w342')}"`,
      );
      assert.match(html, item, `episode ${episode} shows its still`);
    }
    assert.doesNotMatch(html, /\/t\/p\//, 'never the catalogue address');
  });

  it('"continue watching" shows the episode\'s still and the title\'s poster, both from this site', async () => {
    const title = await reload();
    const [fileId] = title.seasons[0].episodes[1].fileIds;
    const viewer = new TestClient(server.url);
    await viewer.get('/');
    const saved = await viewer.request('PUT', `/api/progress/${String(fileId)}`, {
      json: { position: 30, duration: 100 },
    });
    assert.equal(saved.status, 200);
    const [item] = (await viewer.get('/api/progress/continue')).body as {
      still: string | null;
      title: { poster: string | null };
    }[];
    const still = title.episodeStills!.find((s) => s.season === 1 && s.episode === 2)!;
    assert.equal(item.still, artworkPath(still.artwork!, 'w342'));
    assert.equal(item.title.poster, artworkPath(title.artwork!.poster!, 'w185'));
  });

  it('a re-enrichment keeps the local copies of unchanged stills', async () => {
    const before = (await reload()).episodeStills!.map((still) => still.artwork);
    await library.setEpisodeStills(
      showId,
      (await reload()).episodeStills!.map(({ season, episode, source }) => ({ season, episode, source })),
    );
    assert.deepEqual(
      (await reload()).episodeStills!.map((still) => still.artwork),
      before,
    );
  });

  it('a catalogue that fails only on the stills keeps the title matched, with the reason', async () => {
    const show = await library.upsertSkeleton({ kind: 'series', name: 'Lighthouse Keepers', year: 2019 });
    await library.attachFiles(show._id, [
      {
        fileId: await createMediaFile(server.app, 'Lighthouse.Keepers.S01E01.mkv'),
        placement: { season: 1, episodes: [1] },
      },
    ]);
    stub.state.seasonsDown = true;
    try {
      await server.app.get(EnrichmentRequests).request(show._id);
      const title = await eventually(
        async () => (await library.findTitles([show._id]))[0],
        (found) => found.enrichment?.state !== undefined,
        { timeoutMs: 20_000, what: 'the enrichment recorded' },
      );
      assert.equal(title.enrichment?.state, 'matched');
      assert.equal(title.overview, 'Lamps.');
      assert.match(title.enrichment?.detail ?? '', /episode stills not fetched/);
      assert.equal(title.episodeStills?.length ?? 0, 0);
    } finally {
      stub.state.seasonsDown = false;
    }
  });
});
