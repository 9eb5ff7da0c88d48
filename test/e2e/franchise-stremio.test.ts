import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Types } from 'mongoose';
import { UserService } from '../../src/auth/user.service.js';
import { TenantContext } from '../../src/core/tenancy/tenant-context.js';
import { TenantDirectory } from '../../src/core/tenancy/tenant-directory.js';
import { CatalogRebuilder } from '../../src/library/catalog/catalog-rebuilder.js';
import { LibraryService } from '../../src/library/library.service.js';
import { MediaFileRepository } from '../../src/library/media-file.repository.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { HostClient, type HostResponse } from '../support/host-client.js';
import { type TestClient } from '../support/http.js';
import { type InProcessApp, signInAdmin } from '../support/in-process-app.js';
import { createMediaFile, storeFile } from '../support/library-fixtures.js';
import { testVideo } from '../support/media.js';
import { BROWSER_ACCEPT, startSiteApp } from '../support/site-app.js';
import { assertLintedManifest, assertStreamResponse } from '../support/stremio-shapes.js';

/** Shows the whole library under its own name. */
const FILMS = 'films.example.com';
/** Shows anime only. */
const ANIME = 'anime.example.com';
/** The anime site's logo, stored inline (a 1×1 PNG). */
const INLINE_LOGO =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('franchise: the Stremio add-on of a tenant site', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let operator: TestClient;
  let movieId: Types.ObjectId;
  let animeId: Types.ObjectId;
  let movieBytes: Buffer;
  let operatorPassword: string;
  /** Per tenant host: its viewer's session client and app password. */
  const accounts: Record<string, { client: HostClient; password: string }> = {};

  /** An add-on request on `host` with that site's app password (or `password`). */
  const addon = (host: string, path: string, password = accounts[host].password): Promise<HostResponse> =>
    new HostClient(server.url, host).get(`/stremio/${password}${path}`);

  before(async () => {
    db = await startTestDatabase();
    server = await startSiteApp({ MONGODB_URI: db.uri });
    operator = await signInAdmin(server);
    const library = server.app.get(LibraryService);
    const files = server.app.get(MediaFileRepository);

    // A film with a real MP4, an English text track and an IMDb id; an anime series of one episode.
    const video = testVideo(2);
    movieBytes = video.bytes;
    const movieFile = await storeFile(server.app, video.path, 'Night Train (2019).mp4', 'video/mp4');
    await files.setProbe(movieFile._id, {
      duration: 2,
      streams: {
        video: [{ index: 0, codec: 'h264', width: 1920, height: 1080 }],
        audio: [{ index: 1, codec: 'aac', language: 'eng' }],
        subtitles: [{ index: 2, codec: 'subrip', language: 'eng' }],
      },
    });
    movieId = (await library.upsertSkeleton({ kind: 'movie', name: 'Night Train', year: 2019 }))._id;
    await library.attachFile(movieId, movieFile._id);
    await library.enrich(movieId, { overview: 'A train at night.', externalIds: { imdb: 'tt0133093' } });
    animeId = (await library.upsertSkeleton({ kind: 'anime', name: 'Star Harbour', year: 2021 }))._id;
    await library.attachFiles(animeId, [
      {
        fileId: await createMediaFile(server.app, 'Star.Harbour.E01.mkv'),
        placement: { season: 1, episodes: [1] },
      },
    ]);
    await library.enrich(animeId, { externalIds: { imdb: 'tt0903747' } });
    await server.app.get(CatalogRebuilder).rebuild('test');

    for (const [slug, domain, extra] of [
      ['films', FILMS, { branding: { siteName: 'Film Club' } }],
      [
        'anime',
        ANIME,
        {
          scope: { mode: 'filtered', kinds: ['anime'] },
          branding: { logo: `data:image/png;base64,${INLINE_LOGO}` },
        },
      ],
    ] as const) {
      const created = await operator.post('/api/tenants', { slug, name: slug, domains: [domain], ...extra });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const tenant = (await server.app.get(TenantDirectory).byId(String(created.body.id)))!;
      const name = `${slug}-fan`;
      await TenantContext.run(tenant, () =>
        server.app.get(UserService).create({ username: name, password: `${name}-password`, role: 'viewer' }),
      );
      const client = new HostClient(server.url, domain);
      await client.login(name, `${name}-password`);
      const made = await client.post('/api/auth/app-passwords', { label: 'Stremio' });
      assert.equal(made.status, 201, made.text);
      accounts[domain] = { client, password: String(made.body.password) };
    }
    const mine = await operator.post('/api/auth/app-passwords', { label: 'Stremio' });
    assert.equal(mine.status, 201, JSON.stringify(mine.body));
    operatorPassword = String(mine.body.password);
  });
  after(async () => {
    await server?.close();
    await db?.stop();
  });

  it("the account page installs from the tenant's own host, whose manifest is the tenant's add-on", async () => {
    const page = await accounts[FILMS].client.get('/account', BROWSER_ACCEPT);
    assert.equal(page.status, 200);
    assert.match(page.text, /data-addon-base="http:\/\/films\.example\.com\/stremio\/"/);

    const films = await addon(FILMS, '/manifest.json');
    assert.equal(films.status, 200, films.text);
    assertLintedManifest(films.body);
    assert.equal(films.body.name, 'Film Club');
    assert.equal(films.body.logo, `http://${FILMS}/stremio/logo.png`);
    const anime = await addon(ANIME, '/manifest.json');
    assert.equal(anime.body.name, 'anime');
    const operatorManifest = (await fetch(`${server.url}/stremio/${operatorPassword}/manifest.json`)).json();
    const ids = [films.body.id, anime.body.id, ((await operatorManifest) as Json).id];
    assert.equal(new Set(ids).size, 3, `one add-on id per site: ${ids.join(', ')}`);

    // The anime site's own (inline) logo, readable from Stremio Web's origin; the films site has none.
    assert.equal(anime.body.logo, `http://${ANIME}/stremio/logo.png`);
    const logo = await new HostClient(server.url, ANIME).get('/stremio/logo.png');
    assert.equal(logo.status, 200);
    assert.equal(logo.headers['content-type'], 'image/png');
    assert.equal(logo.headers['cross-origin-resource-policy'], 'cross-origin');
    assert.deepEqual(logo.bytes, Buffer.from(INLINE_LOGO, 'base64'));
    const installIcon = await new HostClient(server.url, FILMS).get('/stremio/logo.png');
    assert.equal(installIcon.headers['content-type'], 'image/png');
    assert.notDeepEqual(installIcon.bytes, logo.bytes);
  });

  it("a stream of the tenant's add-on is a link on its host that plays there (206)", async () => {
    const { status, body, text } = await addon(FILMS, `/stream/movie/sv:${String(movieId)}.json`);
    assert.equal(status, 200, text);
    assertStreamResponse(body);
    const [stream] = (body as Json).streams as { url: string; name: string; subtitles: { url: string }[] }[];
    assert.equal(stream.name, 'Film Club\n1080p');
    const url = new URL(stream.url);
    assert.equal(url.origin, `http://${FILMS}`);
    assert.equal(new URL(stream.subtitles[0].url).origin, `http://${FILMS}`);
    const range = await new HostClient(server.url, url.host).get(`${url.pathname}${url.search}`, {
      range: 'bytes=100-1099',
    });
    assert.equal(range.status, 206, range.text);
    assert.deepEqual(range.bytes, movieBytes.subarray(100, 1100));
  });

  it("meta, stream and subtitles answer only for titles in the tenant's scope", async () => {
    const movie = `sv:${String(movieId)}`;
    for (const path of [
      `/meta/movie/${movie}.json`,
      `/stream/movie/${movie}.json`,
      `/subtitles/movie/${movie}.json`,
    ]) {
      const res = await addon(ANIME, path);
      assert.equal(res.status, 404, `${path}: ${res.text}`);
      assert.equal((res.body as Json).error, 'not_found', path);
      assert.ok(!res.text.includes('Night Train'), path);
      assert.equal(res.headers['access-control-allow-origin'], '*', path);
    }
    assert.deepEqual((await addon(ANIME, '/stream/movie/tt0133093.json')).body, { streams: [] });
    assert.deepEqual((await addon(ANIME, '/subtitles/movie/tt0133093.json')).body, { subtitles: [] });

    // The same ids on a site that shows the film, and the anime on the anime site.
    assert.equal((await addon(FILMS, `/meta/movie/${movie}.json`)).status, 200);
    assert.equal(((await addon(FILMS, '/stream/movie/tt0133093.json')).body as Json).streams.length, 1);
    assert.equal(((await addon(FILMS, '/subtitles/movie/tt0133093.json')).body as Json).subtitles.length, 1);
    const anime = await addon(ANIME, `/meta/series/sv:${String(animeId)}.json`);
    assert.equal(anime.status, 200, anime.text);
    assert.equal((anime.body as Json).meta.name, 'Star Harbour');
    assert.equal(((await addon(ANIME, '/stream/series/tt0903747:1:1.json')).body as Json).streams.length, 1);
  });

  it('a suspended site still answers Stremio readably: 503 {error, message} with its CORS headers', async () => {
    const created = await operator.post('/api/tenants', {
      slug: 'resting',
      name: 'Resting',
      domains: ['resting.example.com'],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const suspended = await operator.patch(`/api/tenants/${created.body.id}`, { status: 'suspended' });
    assert.equal(suspended.status, 200, JSON.stringify(suspended.body));
    const res = await addon('resting.example.com', '/manifest.json', 'any-password');
    assert.equal(res.status, 503, res.text);
    assert.equal((res.body as Json).error, 'tenant_suspended');
    assert.equal(res.headers['access-control-allow-origin'], '*');
    const preflight = await new HostClient(server.url, 'resting.example.com').request(
      'OPTIONS',
      '/stremio/any-password/manifest.json',
    );
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], '*');
  });
});
