import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LibraryService } from '../../src/library/library.service.js';
import { MediaFileRepository } from '../../src/library/media-file.repository.js';
import { secureLinkSignature } from '../../src/stream/signing/secure-link.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { HostClient } from '../support/host-client.js';
import { type InProcessApp, signInAdmin } from '../support/in-process-app.js';
import { BROWSER_ACCEPT, startSiteApp } from '../support/site-app.js';
import { createMediaFile } from '../support/library-fixtures.js';
import { TestClient } from '../support/http.js';

const BROWSER = BROWSER_ACCEPT;

describe('viewer site pages over HTTP', () => {
  let db: TestDatabase;
  let server: InProcessApp;

  before(async () => {
    db = await startTestDatabase();
    server = await startSiteApp({
      MONGODB_URI: db.uri,
      SATELLITE_MIRRORS: 'http://127.0.0.1:9/satellite.json',
    });
  });
  after(async () => {
    await server?.close();
    await db?.stop();
  });

  it('serves a home page at / in the site layout', async () => {
    const res = await server.request('/', { headers: BROWSER });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    const html = await res.text();
    assert.match(html, /<link rel="stylesheet" href="\/assets\/site\/site.css">/);
    assert.match(html, /<main id="content"/);
    // The satellite fail-over module, with the install's public key and mirrors.
    const meta = /<meta name="sv-satellite" content="([^"]+)">/.exec(html)?.[1];
    const config = JSON.parse((meta ?? '').replaceAll('&quot;', '"')) as {
      publicKey: string;
      mirrors: string[];
    };
    assert.match(config.publicKey, /^[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(config.mirrors, ['http://127.0.0.1:9/satellite.json']);
    assert.match(html, /<script src="\/assets\/site\/satellite.mjs" type="module"><\/script>/);
  });

  it("gives a tenant's pages no satellite config: the mirrors are the operator's origins", async () => {
    const operator = await signInAdmin(server);
    const created = await operator.post('/api/tenants', {
      slug: 'sat',
      name: 'Sat',
      domains: ['sat.example.com'],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const page = await new HostClient(server.url, 'sat.example.com').get('/', BROWSER);
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.text, /name="sv-satellite"/);
    assert.match(await (await server.request('/', { headers: BROWSER })).text(), /name="sv-satellite"/);
  });

  it('shows an unknown page as a 404 page to a browser, and as JSON to an API client', async () => {
    const page = await server.request('/no/such/page', { headers: BROWSER });
    assert.equal(page.status, 404);
    assert.match(await page.text(), /<h1 id="error-heading">Nothing here<\/h1>/);
    const api = await server.request('/no/such/page');
    assert.equal(api.status, 404);
    assert.equal(((await api.json()) as { error: string }).error, 'not_found');
    const apiPath = await server.request('/api/nothing-here', { headers: BROWSER });
    assert.equal(apiPath.status, 404);
    assert.match(apiPath.headers.get('content-type') ?? '', /json/);
  });

  it('shows an expired watch link as a 410 page whose action gets a new link', async () => {
    const fileId = String(await createMediaFile(server.app, 'Old Link.mkv'));
    const expires = Math.floor(Date.now() / 1000) - 60;
    const md5 = secureLinkSignature(`/watch/${fileId}`, expires, server.config.stream.secret);
    const res = await server.request(`/watch/${fileId}?md5=${md5}&expires=${expires}`, { headers: BROWSER });
    assert.equal(res.status, 410);
    const html = await res.text();
    assert.match(html, /This link has expired/);
    assert.match(html, new RegExp(`<a class="button primary" href="/play/${fileId}">Get a new link</a>`));
  });

  it('shows a series title with its seasons, episodes, files and escaped comments', async () => {
    const library = server.app.get(LibraryService);
    const show = await library.upsertSkeleton({ kind: 'series', name: 'Page Test Show', year: 2021 });
    await library.updateTitle(show._id, {
      overview: 'Two <b>friends</b> & a boat.',
      genres: ['Drama', 'Comedy'],
    });
    const e1 = await createMediaFile(server.app, 'Page.Test.Show.S01E01.mkv');
    const e2 = await createMediaFile(server.app, 'Page.Test.Show.S01E02.mkv');
    await library.attachFiles(show._id, [
      { fileId: e1, placement: { season: 1, episodes: [1] } },
      { fileId: e2, placement: { season: 1, episodes: [2] } },
    ]);
    const viewer = new TestClient(server.url);
    await viewer.get('/'); // a guest cookie, as a first page view gives
    const posted = await viewer.post(`/api/titles/${String(show._id)}/comments`, {
      body: '<script>alert("x")</script> nice',
    });
    assert.equal(posted.status, 201);

    const page = await viewer.get(`/title/${String(show._id)}`, BROWSER);
    assert.equal(page.status, 200);
    const html = String(page.body);
    assert.match(html, /<h1 id="title-name">Page Test Show<\/h1>/);
    assert.match(html, /Two &lt;b&gt;friends&lt;\/b&gt; &amp; a boat\./);
    assert.match(html, /<li>Drama<\/li><li>Comedy<\/li>/);
    assert.match(html, /<summary>Season 1 <span class="muted">\(2\)<\/span><\/summary>/);
    assert.match(html, new RegExp(`data-episode="1:2" data-files="${String(e2)}"`));
    assert.match(html, new RegExp(`href="/play/${String(e1)}"`));
    assert.match(html, /<img class="still" src="\/media\/[0-9a-f]{24}\/screenshots\/0\?md5(=|&#x3D;)/);
    assert.match(html, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; nice/);
    assert.doesNotMatch(html, /<script>alert/);
  });

  it('answers an unknown or malformed title id with the 404 page', async () => {
    for (const id of ['0123456789abcdef01234567', 'not-an-id']) {
      const res = await server.request(`/title/${id}`, { headers: BROWSER });
      assert.equal(res.status, 404);
      assert.match(await res.text(), /Nothing here/);
    }
  });

  it('plays a file with a signed stream, text subtitles, a download link and the next episode', async () => {
    const library = server.app.get(LibraryService);
    const show = await library.upsertSkeleton({ kind: 'series', name: 'Player Test Show' });
    const e1 = await createMediaFile(server.app, 'Player.Test.Show.S01E01.mkv');
    const e2 = await createMediaFile(server.app, 'Player.Test.Show.S01E02.mkv');
    await server.app.get(MediaFileRepository).setSubtitles(e1, [
      { index: 2, codec: 'subrip', language: 'fr', title: 'Français' },
      { index: 3, codec: 'hdmv_pgs_subtitle', language: 'en', bitmap: true },
    ]);
    await library.attachFiles(show._id, [
      { fileId: e1, placement: { season: 1, episodes: [1] } },
      { fileId: e2, placement: { season: 1, episodes: [2] } },
    ]);
    const res = await server.request(`/play/${String(e1)}`, { headers: BROWSER });
    assert.equal(res.status, 200);
    const html = (await res.text()).replaceAll('&#x3D;', '=');
    assert.match(
      html,
      new RegExp(`<source src="/stream/${String(e1)}/Player\\.Test\\.Show\\.S01E01\\.mkv\\?md5=`),
    );
    assert.match(
      html,
      new RegExp(
        `<track kind="subtitles" src="/subtitles/${String(e1)}/0\\.vtt\\?md5=[^"]+" srclang="fr" label="Français" data-key="fr">`,
      ),
    );
    assert.equal(html.match(/<track /g)?.length, 1, 'a picture-based track cannot be shown as text');
    assert.match(html, /download="Player\.Test\.Show\.S01E01\.mkv">Download<\/a>/);
    assert.match(html, new RegExp(`data-next="/play/${String(e2)}\\?autoplay=1"`));
    assert.match(html, /Next: <strong>S01E02<\/strong>/);

    const last = await (await server.request(`/play/${String(e2)}`, { headers: BROWSER })).text();
    assert.doesNotMatch(last, /data-next=/, 'the last episode has no next one');
    const missing = await server.request('/play/0123456789abcdef01234567', { headers: BROWSER });
    assert.equal(missing.status, 404);
  });

  it('lists the catalogue on the home page in rows, and on the browse page with filters, sort and pages', async () => {
    const library = server.app.get(LibraryService);
    for (let i = 1; i <= 30; i++) {
      const title = await library.upsertSkeleton({
        kind: 'movie',
        name: `Browse Film ${String(i).padStart(2, '0')}`,
        year: 1990 + (i % 3),
      });
      if (i % 2 === 0) await library.updateTitle(title._id, { genres: ['Thriller'] });
    }
    const home = await (await server.request('/', { headers: BROWSER })).text();
    assert.match(home, /<h2 id="row-0">Newest<\/h2>/);
    assert.match(home, /<h2 id="row-\d+">Movies<\/h2>/);
    assert.match(home, /<h2 id="row-\d+">Thriller<\/h2>/);

    const first = await (
      await server.request('/browse?kind=movie&genre=Thriller&sort=name', { headers: BROWSER })
    ).text();
    assert.match(first, /15 titles/);
    const names = [...first.matchAll(/<span class="name">([^<]+)<\/span>/g)].map((m) => m[1]);
    assert.deepEqual(names.slice(0, 3), ['Browse Film 02', 'Browse Film 04', 'Browse Film 06']);
    assert.ok(
      names.every((name) => Number(name.slice(-2)) % 2 === 0),
      'only thrillers',
    );

    const all = (
      await (await server.request('/browse?kind=movie&sort=name', { headers: BROWSER })).text()
    ).replaceAll('&#x3D;', '=');
    assert.match(all, /Page 1 of 2/);
    assert.match(all, /<a href="\/browse\?kind=movie&amp;sort=name&amp;page=2" rel="next">/);
    const second = await (
      await server.request('/browse?kind=movie&sort=name&page=2', { headers: BROWSER })
    ).text();
    assert.match(second, /Browse Film 30/);

    const nonsense = await server.request('/browse?kind=%3Cb%3E&year=abc&sort=%24where&page=-4', {
      headers: BROWSER,
    });
    assert.equal(nonsense.status, 200, 'unknown filter values are ignored, not an error');
  });

  it('searches by words, and takes 10 KB or regex/HTML characters as plain text', async () => {
    const library = server.app.get(LibraryService);
    await library.upsertSkeleton({ kind: 'movie', name: 'Searchable Harbour Lights', year: 2001 });
    const found = await (await server.request('/search?q=harb', { headers: BROWSER })).text();
    assert.match(found, /<span class="name">Searchable Harbour Lights<\/span>/);
    assert.match(found, /value="harb"/, 'the search box keeps the query');

    const hostile = '<img src=x onerror=alert(1)> .* (a+)+$ [ \\ ^';
    const page = await server.request(`/search?q=${encodeURIComponent(hostile)}`, { headers: BROWSER });
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.doesNotMatch(html, /<img src=x/);
    assert.match(html, /&lt;img src&#x3D;x onerror&#x3D;alert\(1\)&gt;/);

    const huge = await server.request(`/search?q=${'harbour '.repeat(1300)}`, { headers: BROWSER });
    assert.equal(huge.status, 200);
    assert.match(await huge.text(), /Searchable Harbour Lights/);
  });

  it('serves the web app manifest, the service worker at the root, and the offline page', async () => {
    const manifest = await server.request('/manifest.webmanifest');
    assert.equal(manifest.status, 200);
    assert.match(manifest.headers.get('content-type') ?? '', /application\/manifest\+json/);
    const body = (await manifest.json()) as {
      start_url: string;
      display: string;
      icons: { src: string; sizes: string }[];
    };
    assert.equal(body.display, 'standalone');
    for (const icon of body.icons) {
      const png = await server.request(icon.src);
      assert.equal(png.status, 200, icon.src);
      assert.equal(png.headers.get('content-type'), 'image/png');
    }
    const worker = await server.request('/sw.js');
    assert.equal(worker.status, 200);
    assert.match(worker.headers.get('content-type') ?? '', /javascript/);
    const offline = await server.request('/offline', { headers: BROWSER });
    assert.match(await offline.text(), /You are offline/);
  });

  it('offers a guest the sign-in form on the account page', async () => {
    const html = await (await server.request('/account', { headers: BROWSER })).text();
    assert.match(html, /<h1>Sign in<\/h1>/);
    assert.match(html, /<input id="password" name="password" type="password"/);
  });

  it('shows only local artwork (the worker copy), never the catalogue address', async () => {
    const library = server.app.get(LibraryService);
    const film = await library.upsertSkeleton({ kind: 'movie', name: 'Artwork Test Film', year: 1999 });
    await library.updateTitle(film._id, {
      poster: 'https://image.tmdb.example/poster.jpg',
      backdrop: 'https://image.tmdb.example/b.jpg',
    });
    const before = await (await server.request(`/title/${String(film._id)}`, { headers: BROWSER })).text();
    assert.doesNotMatch(before, /tmdb\.example/);
    assert.match(before, /<span class="poster blank" aria-hidden="true">A<\/span>/);

    await library.setArtwork(film._id, 'poster', 'aaaaaaaaaaaaaaaaaaaaaaaa');
    await library.setArtwork(film._id, 'backdrop', 'bbbbbbbbbbbbbbbbbbbbbbbb');
    const after = await (await server.request(`/title/${String(film._id)}`, { headers: BROWSER })).text();
    assert.match(after, /<img class="poster" src="\/media\/artwork\/aaaaaaaaaaaaaaaaaaaaaaaa\/w342\.webp"/);
    assert.match(
      after,
      /<img class="backdrop" src="\/media\/artwork\/bbbbbbbbbbbbbbbbbbbbbbbb\/w1280\.webp"/,
    );
    const search = await (await server.request('/search?q=artwork+test', { headers: BROWSER })).text();
    assert.match(search, /<img class="poster" src="\/media\/artwork\/aaaaaaaaaaaaaaaaaaaaaaaa\/w342\.webp"/);
    assert.doesNotMatch(search, /tmdb\.example/);
  });
});
