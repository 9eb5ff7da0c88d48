import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Types } from 'mongoose';
import stremioClient from 'stremio-addon-client';
import { AppPasswordService } from '../../src/auth/app-passwords/app-password.service.js';
import { UserService } from '../../src/auth/user.service.js';
import { MEDIA_STORE, type MediaStore } from '../../src/core/storage/media-store.js';
import { LibraryService } from '../../src/library/library.service.js';
import { MediaFileRepository } from '../../src/library/media-file.repository.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { type InProcessApp } from '../support/in-process-app.js';
import { createMediaFile, storeFile } from '../support/library-fixtures.js';
import { stillJpeg, tempDir, testVideo } from '../support/media.js';
import { startNginx } from '../support/nginx.js';
import { BROWSER_ACCEPT, startSiteApp } from '../support/site-app.js';
import {
  assertCatalogResponse,
  assertLintedManifest,
  assertMetaResponse,
  assertStreamResponse,
  assertSubtitlesResponse,
} from '../support/stremio-shapes.js';

const SRT = `1
00:00:00,500 --> 00:00:01,500
Hello from Stremio
`;

/** An MKV with one English SRT track, made by ffmpeg. */
function episodeWithSubtitles(): string {
  const dir = tempDir('sv-stremio-');
  writeFileSync(join(dir, 'en.srt'), SRT);
  const out = join(dir, 'Harbour.Watch.S01E01.mkv');
  execFileSync('ffmpeg', [
    ...['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10:duration=2'],
    ...['-i', join(dir, 'en.srt'), '-map', '0:v', '-map', '1:s', '-c:v', 'libx264', '-preset', 'ultrafast'],
    ...['-c:s', 'srt', '-metadata:s:s:0', 'language=eng', out],
  ]);
  return out;
}

interface Json {
  status: number;
  headers: Headers;
  body: Record<string, unknown> & { error?: string; message?: string };
}

describe('Stremio add-on', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let password: string;
  let passwordId: string;
  let userId: string;
  let movieId: Types.ObjectId;
  let showId: Types.ObjectId;
  let animeId: Types.ObjectId;
  let movieBytes: Buffer;
  let episodeSize: number;

  const addon = async (path: string, key = password): Promise<Json> => {
    const res = await server.request(`/stremio/${key}${path}`);
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: JSON.parse(text) as Json['body'] };
  };

  before(async () => {
    db = await startTestDatabase();
    server = await startSiteApp({ MONGODB_URI: db.uri });
    const library = server.app.get(LibraryService);
    const files = server.app.get(MediaFileRepository);

    const user = await server.app
      .get(UserService)
      .create({ username: 'ann', password: 'ann-password', role: 'viewer' });
    userId = user.id;
    const created = await server.app.get(AppPasswordService).create(userId, 'Stremio');
    password = created.password;
    passwordId = created.id;

    // A film with a real MP4 (H.264/AAC: plays in a browser as it is) and an IMDb id from enrichment.
    const video = testVideo(2);
    movieBytes = video.bytes;
    const movieFile = await storeFile(server.app, video.path, 'Night Train (2019).mp4', 'video/mp4');
    await files.setProbe(movieFile._id, {
      duration: 2,
      streams: {
        video: [{ index: 0, codec: 'h264', width: 1920, height: 1080 }],
        audio: [{ index: 1, codec: 'aac', language: 'eng' }],
        subtitles: [],
      },
    });
    movieId = (await library.upsertSkeleton({ kind: 'movie', name: 'Night Train', year: 2019 }))._id;
    await library.attachFile(movieId, movieFile._id);
    await library.enrich(movieId, {
      overview: 'A train at night.',
      genres: ['Science Fiction', 'Drama'],
      externalIds: { tmdb: 42, imdb: 'tt0133093' },
      poster: 'https://image.tmdb.org/t/p/w500/night-train.jpg',
    });
    await library.setArtwork(movieId, 'poster', 'abcdefabcdefabcdefabcdef');
    for (const name of ['Morning Train', 'Evening Bus']) {
      const other = await library.upsertSkeleton({ kind: 'movie', name, year: 2020 });
      await library.attachFile(other._id, await createMediaFile(server.app, `${name}.mkv`));
    }

    // A series: episode 1 is a real MKV with an SRT track, episode 2 a record only.
    const episode = await storeFile(
      server.app,
      episodeWithSubtitles(),
      'Harbour.Watch.S01E01.mkv',
      'video/x-matroska',
    );
    episodeSize = episode.size;
    await files.setProbe(episode._id, {
      duration: 2,
      streams: {
        video: [{ index: 0, codec: 'h264', width: 160, height: 120 }],
        audio: [],
        subtitles: [{ index: 1, codec: 'subrip', language: 'eng' }],
      },
    });
    // Its stills, as ingest would have made them (a real JPEG in the store).
    const still = stillJpeg();
    const [stillPart] = await server.app.get<MediaStore>(MEDIA_STORE).put(still, 'still.jpg');
    await files.setArtifacts(episode._id, { screenshots: [stillPart], sample: undefined });
    showId = (await library.upsertSkeleton({ kind: 'series', name: 'Harbour Watch', year: 2017 }))._id;
    await library.attachFiles(showId, [
      { fileId: episode._id, placement: { season: 1, episodes: [1] } },
      {
        fileId: await createMediaFile(server.app, 'Harbour.Watch.S01E02.mkv'),
        placement: { season: 1, episodes: [2] },
      },
    ]);
    await library.enrich(showId, { genres: ['Drama'], externalIds: { tmdb: 7001, imdb: 'tt0903747' } });

    animeId = (await library.upsertSkeleton({ kind: 'anime', name: 'Star Harbour', year: 2021 }))._id;
    await library.attachFiles(animeId, [
      {
        fileId: await createMediaFile(server.app, 'Star.Harbour.E01.mkv'),
        placement: { season: 1, episodes: [1] },
      },
    ]);
  });
  after(async () => {
    await server?.close();
    await db?.stop();
  });

  it('manifest: passes stremio-addon-linter; movies, series and anime catalogs with search, genre and skip', async () => {
    const { status, headers, body } = await addon('/manifest.json');
    assert.equal(status, 200);
    assert.equal(headers.get('access-control-allow-origin'), '*');
    assert.equal(headers.get('access-control-allow-headers'), '*');
    assert.match(headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(headers.get('set-cookie'), null, 'no guest cookie for the add-on');
    assertLintedManifest(body);
    assert.deepEqual(body.types, ['movie', 'series']);
    assert.deepEqual(body.idPrefixes, ['sv:', 'tt']);
    assert.deepEqual(body.behaviorHints, { configurable: true, configurationRequired: false });
    const catalogs = body.catalogs as {
      type: string;
      id: string;
      extra: { name: string; options?: string[] }[];
    }[];
    assert.deepEqual(
      catalogs.map((c) => [c.type, c.id]),
      [
        ['movie', 'sv-movies'],
        ['series', 'sv-series'],
        ['series', 'sv-anime'],
      ],
    );
    assert.deepEqual(
      catalogs[0].extra.map((e) => e.name),
      ['search', 'genre', 'skip'],
    );
    assert.deepEqual(catalogs[0].extra[1].options?.sort(), ['Drama', 'Science Fiction'], 'display names');
    assert.deepEqual(
      (body.resources as { name: string }[]).map((r) => r.name),
      ['catalog', 'meta', 'stream', 'subtitles'],
    );
    // The logo is shown by Stremio Web from its own origin: not a same-site-only asset.
    assert.equal(body.logo, `${server.url}/stremio/logo.png`);
    const logo = await fetch(String(body.logo));
    assert.equal(logo.status, 200);
    assert.equal(logo.headers.get('content-type'), 'image/png');
    assert.equal(logo.headers.get('cross-origin-resource-policy'), 'cross-origin');
    assert.deepEqual([...new Uint8Array(await logo.arrayBuffer()).subarray(1, 4)], [0x50, 0x4e, 0x47]);
  });

  it('options in the URL choose the catalogs; unknown options are a 400', async () => {
    const anime = await addon('/manifest.json', `${password}~anime`);
    assertLintedManifest(anime.body);
    assert.deepEqual(
      (anime.body.catalogs as { id: string }[]).map((c) => c.id),
      ['sv-anime'],
    );
    assert.equal((await addon('/catalog/movie/sv-movies.json', `${password}~anime`)).status, 404);
    const bad = await addon('/manifest.json', `${password}~films`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error, 'bad_request');
  });

  it('catalog: newest first, with skip, search and genre; posters are our local copies', async () => {
    const all = await addon('/catalog/movie/sv-movies.json');
    assert.equal(all.status, 200);
    assertCatalogResponse(all.body);
    const metas = all.body.metas as { id: string; name: string; poster?: string }[];
    assert.deepEqual(
      metas.map((m) => m.name),
      ['Evening Bus', 'Morning Train', 'Night Train'],
    );
    const skipped = await addon('/catalog/movie/sv-movies/skip=1.json');
    assertCatalogResponse(skipped.body);
    assert.deepEqual(
      (skipped.body.metas as { name: string }[]).map((m) => m.name),
      ['Morning Train', 'Night Train'],
    );
    const found = await addon(`/catalog/movie/sv-movies/search=${encodeURIComponent('night tra')}.json`);
    assertCatalogResponse(found.body);
    // Both words match Night Train; "tra" alone matches Morning Train too, ranked after it.
    const [night] = found.body.metas as { id: string; name: string; poster?: string; genres: string[] }[];
    assert.deepEqual(
      (found.body.metas as { name: string }[]).map((m) => m.name),
      ['Night Train', 'Morning Train'],
    );
    assert.equal(night.id, `sv:${String(movieId)}`);
    assert.equal(night.poster, `${server.url}/media/artwork/abcdefabcdefabcdefabcdef/w342.webp`);
    assert.ok(!JSON.stringify(all.body).includes('image.tmdb.org'), 'never the catalogue CDN');
    const genre = await addon('/catalog/movie/sv-movies/genre=Science%20Fiction&skip=0.json');
    assert.deepEqual(
      (genre.body.metas as { name: string }[]).map((m) => m.name),
      ['Night Train'],
    );
    const anime = await addon('/catalog/series/sv-anime.json');
    assert.deepEqual(
      (anime.body.metas as { id: string; type: string }[]).map((m) => [m.id, m.type]),
      [[`sv:${String(animeId)}`, 'series']],
    );
    assert.equal((await addon('/catalog/movie/sv-anime.json')).status, 404, 'anime is a series catalog');
    assert.equal((await addon('/catalog/movie/sv-movies/skip=x.json')).status, 400);
  });

  it('meta: a series lists its episodes as videos (season, episode, title, released, thumbnail)', async () => {
    const { status, body } = await addon(`/meta/series/sv:${String(showId)}.json`);
    assert.equal(status, 200);
    assertMetaResponse(body);
    const meta = body.meta as {
      id: string;
      name: string;
      imdb_id: string;
      videos: Record<string, unknown>[];
    };
    assert.equal(meta.name, 'Harbour Watch');
    assert.equal(meta.imdb_id, 'tt0903747');
    assert.deepEqual(
      meta.videos.map((v) => [v.id, v.season, v.episode, v.title]),
      [
        [`sv:${String(showId)}:1:1`, 1, 1, 'Episode 1'],
        [`sv:${String(showId)}:1:2`, 1, 2, 'Episode 2'],
      ],
    );
    // Episode 1's still, a signed link under PUBLIC_URL that another origin may show.
    const thumbnail = await fetch(String(meta.videos[0].thumbnail));
    assert.equal(thumbnail.status, 200);
    assert.equal(thumbnail.headers.get('content-type'), 'image/jpeg');
    assert.equal(thumbnail.headers.get('cross-origin-resource-policy'), 'cross-origin');
    assert.equal(thumbnail.headers.get('access-control-allow-origin'), '*');
    await thumbnail.arrayBuffer();
    // Episode 2's record has a still: a signed link to it, under PUBLIC_URL.
    assert.match(
      String(meta.videos[1].thumbnail),
      new RegExp(`^${server.url}/media/[0-9a-f]{24}/screenshots/0\\?md5=`),
    );

    const movie = await addon(`/meta/movie/sv:${String(movieId)}.json`);
    assertMetaResponse(movie.body);
    const movieMeta = movie.body.meta as { behaviorHints: unknown; description: string; runtime?: string };
    assert.deepEqual(movieMeta.behaviorHints, { defaultVideoId: `sv:${String(movieId)}` });
    assert.equal(movieMeta.runtime, '1 min');
    assert.equal(movieMeta.description, 'A train at night.');
    assert.equal((await addon(`/meta/movie/sv:${String(showId)}.json`)).status, 404, 'a series is no movie');
    assert.equal((await addon('/meta/movie/sv:0123456789abcdef01234567.json')).status, 404);
    assert.equal((await addon('/meta/movie/tt0133093.json')).status, 404, 'Cinemeta answers tt metas');
  });

  it('stream: a signed URL per file that plays byte ranges (206) from another origin', async () => {
    const { status, body } = await addon(`/stream/movie/sv:${String(movieId)}.json`);
    assert.equal(status, 200);
    assertStreamResponse(body);
    const [stream] = body.streams as { url: string; name: string; behaviorHints: Record<string, unknown> }[];
    assert.equal((body.streams as unknown[]).length, 1);
    assert.equal(stream.name, 'StreamVault\n1080p');
    assert.equal(stream.behaviorHints.notWebReady, undefined, 'an H.264/AAC MP4 plays in the browser');
    assert.match(
      stream.url,
      new RegExp(`^${server.url}/stream/[0-9a-f]{24}/Night%20Train%20\\(2019\\)\\.mp4\\?md5=`),
    );
    const range = await fetch(stream.url, {
      headers: { range: 'bytes=100-1099', origin: 'https://web.stremio.com' },
    });
    assert.equal(range.status, 206);
    assert.equal(range.headers.get('content-range'), `bytes 100-1099/${movieBytes.length}`);
    assert.deepEqual(Buffer.from(await range.arrayBuffer()), movieBytes.subarray(100, 1100));
    assert.equal(range.headers.get('access-control-allow-origin'), '*');
    assert.equal(range.headers.get('cross-origin-resource-policy'), 'cross-origin');
    assert.match(range.headers.get('access-control-expose-headers') ?? '', /Content-Range/);

    // Under Stremio's own (Cinemeta) entry for the film: the same file.
    const imdb = await addon('/stream/movie/tt0133093.json');
    assertStreamResponse(imdb.body);
    assert.deepEqual(
      (imdb.body.streams as { behaviorHints: { filename: string } }[]).map((s) => s.behaviorHints.filename),
      ['Night Train (2019).mp4'],
    );
    assert.deepEqual((await addon('/stream/movie/tt9999999.json')).body, { streams: [] }, 'not ours: empty');
    assert.equal((await addon('/stream/movie/kitsu:1.json')).status, 404);
  });

  it('stream of an episode: Matroska is notWebReady, binge group per title and quality, subtitles inline', async () => {
    for (const id of [`sv:${String(showId)}:1:1`, 'tt0903747:1:1']) {
      const { status, body } = await addon(`/stream/series/${id}.json`);
      assert.equal(status, 200, id);
      assertStreamResponse(body);
      const [stream] = body.streams as {
        behaviorHints: Record<string, unknown>;
        subtitles: { lang: string }[];
      }[];
      assert.equal(stream.behaviorHints.notWebReady, true);
      assert.equal(stream.behaviorHints.bingeGroup, `streamvault-${String(showId)}-SD`);
      assert.deepEqual(
        stream.subtitles.map((s) => s.lang),
        ['eng'],
      );
    }
    assert.equal((await addon(`/stream/series/sv:${String(showId)}:3:1.json`)).status, 404);
  });

  it('subtitles: our WebVTT with ISO 639-2 languages, readable from another origin', async () => {
    const { status, body } = await addon(
      `/subtitles/series/sv:${String(showId)}:1:1/videoHash=abc&videoSize=${episodeSize}&filename=x.mkv.json`,
    );
    assert.equal(status, 200);
    assertSubtitlesResponse(body);
    const [track] = body.subtitles as { url: string; lang: string }[];
    assert.equal(track.lang, 'eng');
    const vtt = await fetch(track.url);
    assert.equal(vtt.status, 200);
    assert.equal(vtt.headers.get('access-control-allow-origin'), '*');
    assert.equal(vtt.headers.get('cross-origin-resource-policy'), 'cross-origin');
    assert.match(await vtt.text(), /^WEBVTT[\s\S]*Hello from Stremio/);
    const plain = await addon(`/subtitles/series/sv:${String(showId)}:1:1.json`);
    assertSubtitlesResponse(plain.body);
    assert.deepEqual(
      (plain.body.subtitles as { url: string }[]).map((s) => s.url.split('?')[0]),
      [track.url.split('?')[0]],
      'without videoSize: every file of the episode',
    );
    const otherVideo = await addon(`/subtitles/series/tt0903747:1:1/videoSize=${episodeSize + 1}.json`);
    assert.deepEqual(
      otherVideo.body,
      { subtitles: [] },
      "another add-on's video: our timings would not match",
    );
    assert.deepEqual((await addon(`/subtitles/movie/sv:${String(movieId)}.json`)).body, { subtitles: [] });
  });

  it('artwork is readable from another origin too', async () => {
    const poster = await server.request('/media/artwork/abcdefabcdefabcdefabcdef/w342.webp');
    assert.equal(poster.headers.get('access-control-allow-origin'), '*');
    assert.equal(poster.headers.get('cross-origin-resource-policy'), 'cross-origin');
    await poster.arrayBuffer();
  });

  it('a badly percent-encoded path is a 400 JSON answer that carries the CORS headers too', async () => {
    for (const path of [
      '/catalog/movie/sv-movies/search=%.json',
      '/catalog/movie/sv-movies/search=%E0%A4%A.json',
      '/meta/movie/sv:%zz.json',
    ]) {
      const res = await server.request(`/stremio/${password}${path}`);
      assert.equal(res.status, 400, path);
      assert.equal(res.headers.get('access-control-allow-origin'), '*', path);
      assert.equal(res.headers.get('cross-origin-resource-policy'), 'cross-origin', path);
      const body = (await res.json()) as Json['body'];
      assert.equal(body.error, 'bad_request', path);
      assert.equal(typeof body.message, 'string', path);
    }
  });

  it('CORS preflights are answered', async () => {
    const res = await server.request(`/stremio/${password}/manifest.json`, {
      method: 'OPTIONS',
      headers: { origin: 'https://web.stremio.com', 'access-control-request-method': 'GET' },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
  });

  it('nginx logs add-on requests with the app password redacted', async () => {
    const nginx = await startNginx(new URL(server.url).host, server.config.stream.secret);
    try {
      const res = await fetch(`${nginx.url}/stremio/${password}/manifest.json`);
      assert.equal(res.status, 200);
      assertLintedManifest(await res.json());
      const stream = (await addon(`/stream/movie/sv:${String(movieId)}.json`)).body.streams as {
        url: string;
      }[];
      const viaNginx = await fetch(stream[0].url.replace(server.url, nginx.url), {
        headers: { range: 'bytes=0-9' },
      });
      assert.equal(viaNginx.status, 206);
      assert.equal(viaNginx.headers.get('access-control-allow-origin'), '*', 'one header, not two');
      await viaNginx.arrayBuffer();
      const log = nginx.accessLog();
      assert.match(log, /"GET \/stremio\/svp_\[redacted\]\/manifest\.json HTTP\/1\.1" 200 /);
      assert.ok(!log.includes(password.slice(4)), 'the password is not in the access log');
    } finally {
      await nginx.stop().catch(() => undefined);
    }
  });

  it('configure page: the catalogs to show, and the install links for that choice', async () => {
    const page = await server.request(`/stremio/${password}/configure`, { headers: BROWSER_ACCEPT });
    assert.equal(page.status, 200);
    const html = await page.text();
    for (const name of ['movies', 'series', 'anime'])
      assert.match(html, new RegExp(`name="catalog" value="${name}" checked`));
    const host = new URL(server.url).host;
    assert.ok(
      html.includes(`href="stremio://${host}/stremio/${password}/manifest.json"`),
      'stremio:// button',
    );

    const anime = await (
      await server.request(`/stremio/${password}/configure?catalog=anime&catalog=movies`, {
        headers: BROWSER_ACCEPT,
      })
    ).text();
    assert.ok(anime.includes(`${server.url}/stremio/${password}~movies.anime/manifest.json`), 'manifest URL');
    assert.match(anime, /name="catalog" value="series">/, 'series unchecked');
    assert.equal((await addon('/manifest.json', `${password}~movies.anime`)).status, 200);
  });

  it("Stremio's own client library (stremio-addon-client) installs the add-on and walks it", async () => {
    const manifestUrl = `${server.url}/stremio/${password}/manifest.json`;
    const { addon: client } = await stremioClient.detectFromURL(manifestUrl);
    assert.ok(client, 'detected as an add-on (the client lints the manifest too)');
    assert.equal(client.isSupported('stream', 'movie', 'tt0133093'), true);
    assert.equal(client.isSupported('meta', 'movie', 'tt0133093'), false, "Cinemeta's");
    assert.equal(client.isSupported('meta', 'series', `sv:${String(showId)}`), true);

    const found = await client.get('catalog', 'series', 'sv-series', { search: 'harbour', skip: 0 });
    assertCatalogResponse(found);
    assert.deepEqual(
      (found as { metas: { id: string }[] }).metas.map((m) => m.id),
      [`sv:${String(showId)}`],
    );
    const meta = await client.get('meta', 'series', `sv:${String(showId)}`);
    assertMetaResponse(meta);
    const videoId = (meta as { meta: { videos: { id: string }[] } }).meta.videos[0].id;
    const streams = await client.get('stream', 'series', videoId);
    assertStreamResponse(streams);
    const [stream] = (streams as { streams: { url: string; behaviorHints: { videoSize: number } }[] })
      .streams;
    const range = await fetch(stream.url, { headers: { range: 'bytes=0-15' } });
    assert.equal(range.status, 206);
    assert.equal((await range.arrayBuffer()).byteLength, 16);
    const subtitles = await client.get('subtitles', 'series', videoId, {
      videoSize: stream.behaviorHints.videoSize,
      filename: 'Harbour.Watch.S01E01.mkv',
    });
    assertSubtitlesResponse(subtitles);
    assert.deepEqual(
      (subtitles as { subtitles: { lang: string }[] }).subtitles.map((s) => s.lang),
      ['eng'],
    );
  });

  it('a revoked, unknown or malformed app password gets 401 JSON everywhere, with CORS headers', async () => {
    const paths = [
      '/manifest.json',
      '/catalog/movie/sv-movies.json',
      '/catalog/movie/sv-movies/search=night.json',
      `/meta/series/sv:${String(showId)}.json`,
      `/stream/movie/sv:${String(movieId)}.json`,
      '/stream/movie/tt0133093.json',
      `/subtitles/series/sv:${String(showId)}:1:1.json`,
      '/configure',
    ];
    const unknown = `svp_${userId}${'B'.repeat(43)}`;
    assert.equal((await addon('/manifest.json')).status, 200, 'works before the revocation');
    const { addon: installed } = await stremioClient.detectFromURL(
      `${server.url}/stremio/${password}/manifest.json`,
    );
    assert.equal(await server.app.get(AppPasswordService).revoke(userId, passwordId), true);
    for (const key of [password, unknown, 'svp_nonsense', 'not-a-password']) {
      for (const path of paths) {
        const { status, headers, body } = await addon(path, key);
        assert.equal(status, 401, `${path} with ${key.slice(0, 8)}`);
        assert.equal(body.error, 'unauthorized');
        assert.equal(typeof body.message, 'string');
        assert.equal(headers.get('access-control-allow-origin'), '*');
      }
    }
    // An installed copy stops working at once: the client reports the HTTP error.
    await assert.rejects(installed!.get('catalog', 'movie', 'sv-movies'), { code: 4 });
  });
});
