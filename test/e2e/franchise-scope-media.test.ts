import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Types } from 'mongoose';
import opdsFeedParser from 'opds-feed-parser';
import { UserService } from '../../src/auth/user.service.js';
import { MongoConnection } from '../../src/core/database/mongo-connection.js';
import { TenantContext } from '../../src/core/tenancy/tenant-context.js';
import { TenantDirectory } from '../../src/core/tenancy/tenant-directory.js';
import { TenantUsageRepository, usageDay } from '../../src/core/tenancy/tenant-usage.repository.js';
import { CatalogRebuilder } from '../../src/library/catalog/catalog-rebuilder.js';
import { FileChangeBus } from '../../src/library/file-change.bus.js';
import { LibraryService } from '../../src/library/library.service.js';
import { MusicCoverBackfill } from '../../src/music/model/music-cover-backfill.js';
import { albumId, artistId, trackId } from '../../src/music/model/music-ids.js';
import { MusicRepository } from '../../src/music/model/music.repository.js';
import { ChapterRepository } from '../../src/readvault/chapters/chapter.repository.js';
import { TenantUsageMeter } from '../../src/stream/usage/tenant-usage.meter.js';
import { pageImage } from '../support/comics.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { HostClient, type HostResponse } from '../support/host-client.js';
import { type TestClient } from '../support/http.js';
import { type InProcessApp, signInAdmin, startInProcessApp } from '../support/in-process-app.js';
import { createMediaFile, storeFile } from '../support/library-fixtures.js';
import { subsonicToken, toneFile } from '../support/music.js';
import { makeZip } from '../support/zip.js';

// NYPL's OPDS client parser (CommonJS), as the ReadVault suite reads the feeds.
const { default: OPDSParser, AcquisitionFeed, NavigationFeed } = opdsFeedParser;

/** Shows Jazz albums and Sea manga only (genres named in another case than the library's). */
const JAZZ = 'jazz.example.com';
/** Shows every album and every manga (by kind). */
const MEDIA = 'media.example.com';
const DEFAULT = '127.0.0.1';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Album {
  id: string;
  trackId: string;
  fileId: string;
  coverFileId: string;
  coverBytes: Buffer;
  bytes: Buffer;
}

interface Series {
  id: string;
  chapterId: string;
  page: Buffer;
}

describe('franchise: a tenant scope reaches music (Subsonic, /api/music) and manga (reader, OPDS)', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let operator: TestClient;
  let dir: string;
  /** Stores `bytes` as a file named `name`, as ingest stores one. */
  let stored: (name: string, bytes: Buffer, mime: string) => ReturnType<typeof storeFile>;
  const albums: Record<string, Album> = {};
  const series: Record<string, Series> = {};
  const tenantIds: Record<string, string> = {};
  /** Per host: the account's name, its session client and its app password. */
  const accounts: Record<string, { name: string; client: HostClient; password: string }> = {};

  before(async () => {
    db = await startTestDatabase();
    server = await startInProcessApp({ MONGODB_URI: db.uri, ROLE: 'manager,streamer' });
    operator = await signInAdmin(server);
    dir = mkdtempSync(join(tmpdir(), 'sv-scope-media-'));
    stored = async (name: string, bytes: Buffer, mime: string) => {
      writeFileSync(join(dir, name), bytes);
      return storeFile(server.app, join(dir, name), name, mime);
    };

    // Two albums filed as ingest files them: one Jazz, one Rock, each with a cover.
    const music = server.app.get(MusicRepository);
    for (const [name, artist, genre, shade] of [
      ['Blue Night', 'Jazz Trio', 'Jazz', 30],
      ['Loud City', 'The Amps', 'Rock', 90],
    ] as const) {
      const bytes = toneFile(join(dir, 'tones', `${name}.mp3`), { seconds: 2, frequency: shade * 10 });
      const file = await stored(`${name}.mp3`, bytes, 'audio/mpeg');
      const coverBytes = await pageImage(300, 300, shade, 'jpeg');
      const cover = await stored(`${name}.jpg`, coverBytes, 'image/jpeg');
      const id = albumId(artist, name);
      const fileId = String(file._id);
      await music.fileAlbum(
        {
          _id: id,
          name,
          artistId: artistId(artist),
          artist,
          year: 2020,
          genres: [],
          compilation: false,
          coverFileId: String(cover._id),
        },
        [
          {
            _id: trackId(fileId),
            fileId,
            albumId: id,
            artistId: artistId(artist),
            albumArtistId: artistId(artist),
            title: `${name} Theme`,
            artists: [artist],
            artist,
            albumArtist: artist,
            album: name,
            track: 1,
            disc: 1,
            year: 2020,
            genres: [genre],
            duration: 60,
            bitRate: 128,
            suffix: 'mp3',
            contentType: 'audio/mpeg',
            compilation: false,
            musicBrainz: {},
            replayGain: {},
            size: file.size,
            path: `${artist}/${name}/01 ${name} Theme.mp3`,
            createdAt: new Date(),
          },
        ],
      );
      albums[name] = {
        id,
        trackId: trackId(fileId),
        fileId,
        coverFileId: String(cover._id),
        coverBytes,
        bytes,
      };
    }

    // Two manga series of one chapter each: one Sea, one Horror.
    const library = server.app.get(LibraryService);
    const chapters = server.app.get(ChapterRepository);
    for (const [name, genre, shade] of [
      ['Harbor Tales', 'Sea', 40],
      ['Night Shift', 'Horror', 120],
    ] as const) {
      const title = await library.upsertSkeleton({ kind: 'manga', name });
      await library.updateTitle(title._id, { genres: [genre] });
      const page = await pageImage(400, 600, shade, 'jpeg');
      const cbz = await stored(
        `${name}.cbz`,
        makeZip([{ name: '01.jpg', content: page }]),
        'application/zip',
      );
      const chapterId = `${String(title._id)}:v1:c1`;
      await chapters.fileChapters(
        title._id,
        [
          {
            _id: chapterId,
            seriesId: title._id,
            volume: 1,
            number: 1,
            fileId: new Types.ObjectId(String(cbz._id)),
            pages: [{ name: '01.jpg', width: 400, height: 600 }],
            sourceFormat: 'cbz',
            rightToLeft: false,
            createdAt: new Date(),
          },
        ],
        { genres: [genre], rightToLeft: false },
      );
      series[name] = { id: String(title._id), chapterId, page };
    }
    await server.app.get(CatalogRebuilder).rebuild('test');

    for (const [slug, domain, scope] of [
      ['jazz', JAZZ, { mode: 'filtered', genres: ['jazz', 'SEA'] }],
      ['media', MEDIA, { mode: 'filtered', kinds: ['album', 'manga'] }],
    ] as const) {
      const created = await operator.post('/api/tenants', { slug, name: slug, domains: [domain], scope });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      tenantIds[domain] = String(created.body.id);
      const tenant = (await server.app.get(TenantDirectory).byId(tenantIds[domain]))!;
      const name = `${slug}-fan`;
      await TenantContext.run(tenant, () =>
        server.app.get(UserService).create({ username: name, password: `${name}-password`, role: 'viewer' }),
      );
      const client = new HostClient(server.url, domain);
      await client.login(name, `${name}-password`);
      const made = await client.post('/api/auth/app-passwords', { label: 'apps' });
      assert.equal(made.status, 201, made.text);
      accounts[domain] = { name, client, password: String(made.body.password) };
    }
    const mine = await operator.post('/api/auth/app-passwords', { label: 'apps' });
    assert.equal(mine.status, 201, JSON.stringify(mine.body));
    accounts[DEFAULT] = {
      name: 'admin',
      client: new HostClient(server.url, DEFAULT),
      password: String(mine.body.password),
    };
  });
  after(async () => {
    await server?.close();
    await db?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A Subsonic call on `host` with its account's token (`f=json` unless `raw`). */
  const rest = (host: string, method: string, args: Record<string, string> = {}): Promise<HostResponse> => {
    const { name, password } = accounts[host];
    const query = new URLSearchParams({
      v: '1.16.1',
      c: 'test',
      f: 'json',
      ...subsonicToken(name, password, 'a1b2c3'),
      ...args,
    });
    return new HostClient(server.url, host).get(`/rest/${method}?${query}`);
  };
  const subsonic = async (host: string, method: string, args: Record<string, string> = {}) => {
    const res = await rest(host, method, args);
    assert.equal(res.status, 200, `${method} on ${host}: ${res.text}`);
    return (res.body as Json)['subsonic-response'] as Json;
  };
  const notFound = async (host: string, method: string, args: Record<string, string>) => {
    const answer = await subsonic(host, method, args);
    assert.equal(answer.status, 'failed', `${method} ${JSON.stringify(args)} on ${host}`);
    assert.equal(answer.error.code, 70, `${method} ${JSON.stringify(args)} on ${host}`);
  };
  const list = (items: Json[] | undefined): Json[] => items ?? [];
  const albumNames = async (host: string) =>
    list((await subsonic(host, 'getAlbumList2', { type: 'alphabeticalByName' })).albumList2.album).map(
      (album) => album.name,
    );

  /** An OPDS feed on `host`, signed in with its account's app password. */
  const opds = async (host: string, path: string) => {
    const { name, password } = accounts[host];
    return new HostClient(server.url, host).get(path, {
      authorization: `Basic ${Buffer.from(`${name}:${password}`).toString('base64')}`,
    });
  };
  const feedTitles = async (host: string, path: string) => {
    const res = await opds(host, path);
    assert.equal(res.status, 200, `${path} on ${host}: ${res.text}`);
    const feed = await new OPDSParser().parse(res.text);
    assert.ok(feed instanceof NavigationFeed || feed instanceof AcquisitionFeed, path);
    return feed.entries.map((entry) => entry.title);
  };

  describe('music', () => {
    it('lists, searches and counts only the albums in scope over Subsonic; other sites see every album', async () => {
      // The catalog on a manager follows filings within a second.
      await eventually(
        () => albumNames(DEFAULT),
        (names) => names.length === 2,
        { what: 'both albums in the music catalog' },
      );
      assert.deepEqual(await albumNames(JAZZ), ['Blue Night']);
      assert.deepEqual(await albumNames(MEDIA), ['Blue Night', 'Loud City']);
      assert.deepEqual(await albumNames(DEFAULT), ['Blue Night', 'Loud City']);

      const everything = await subsonic(JAZZ, 'search3', { query: '' });
      assert.deepEqual(
        [
          everything.searchResult3.artist.map((a: Json) => a.name),
          everything.searchResult3.album.map((a: Json) => a.name),
          everything.searchResult3.song.map((s: Json) => s.title),
        ],
        [['Jazz Trio'], ['Blue Night'], ['Blue Night Theme']],
      );
      const loud = (await subsonic(JAZZ, 'search3', { query: 'loud' })).searchResult3;
      assert.deepEqual([...list(loud.artist), ...list(loud.album), ...list(loud.song)], []);
      assert.equal(
        (await subsonic(MEDIA, 'search3', { query: 'loud' })).searchResult3.album[0].name,
        'Loud City',
      );
      const amps = (await subsonic(JAZZ, 'search2', { query: 'amps' })).searchResult2;
      assert.deepEqual([...list(amps.artist), ...list(amps.album), ...list(amps.song)], []);

      const artists = (await subsonic(JAZZ, 'getArtists')).artists.index.flatMap((i: Json) => i.artist);
      assert.deepEqual(
        artists.map((a: Json) => a.name),
        ['Jazz Trio'],
      );
      const indexes = (await subsonic(JAZZ, 'getIndexes')).indexes.index.flatMap((i: Json) => i.artist);
      assert.deepEqual(
        indexes.map((a: Json) => a.name),
        ['Jazz Trio'],
      );
      const genres = (await subsonic(JAZZ, 'getGenres')).genres.genre;
      assert.deepEqual(
        genres.map((g: Json) => [g.value, g.albumCount, g.songCount]),
        [['Jazz', 1, 1]],
      );
      assert.deepEqual(
        list((await subsonic(JAZZ, 'getSongsByGenre', { genre: 'Rock' })).songsByGenre.song),
        [],
      );
      assert.equal((await subsonic(MEDIA, 'getSongsByGenre', { genre: 'Rock' })).songsByGenre.song.length, 1);
      const random = (await subsonic(JAZZ, 'getRandomSongs', { size: '10' })).randomSongs.song;
      assert.deepEqual(
        random.map((s: Json) => s.title),
        ['Blue Night Theme'],
      );
    });

    it('answers error 70 for an album, song, artist, stream, download or cover out of scope', async () => {
      const out = albums['Loud City'];
      const inside = albums['Blue Night'];
      await notFound(JAZZ, 'getAlbum', { id: out.id });
      await notFound(JAZZ, 'getSong', { id: out.trackId });
      await notFound(JAZZ, 'getArtist', { id: artistId('The Amps') });
      await notFound(JAZZ, 'getMusicDirectory', { id: out.id });
      await notFound(JAZZ, 'stream', { id: out.trackId });
      await notFound(JAZZ, 'download', { id: out.trackId });
      for (const id of [out.id, out.trackId, artistId('The Amps')])
        await notFound(JAZZ, 'getCoverArt', { id });
      await notFound(JAZZ, 'createPlaylist', { name: 'mix', songId: out.trackId });

      assert.equal((await subsonic(JAZZ, 'getAlbum', { id: inside.id })).album.name, 'Blue Night');
      const played = await rest(JAZZ, 'stream', { id: inside.trackId });
      assert.equal(played.status, 200);
      assert.ok(played.bytes.equals(inside.bytes), 'the track in scope plays');
      const cover = await rest(JAZZ, 'getCoverArt', { id: inside.id });
      assert.deepEqual([cover.status, cover.headers['content-type']], [200, 'image/jpeg']);
      // The tenant that shows every album, and the operator's site, play the other album.
      for (const host of [MEDIA, DEFAULT]) {
        const other = await rest(host, 'stream', { id: out.trackId });
        assert.equal(other.status, 200, host);
        assert.ok(other.bytes.equals(out.bytes), host);
        assert.equal((await rest(host, 'getCoverArt', { id: out.id })).headers['content-type'], 'image/jpeg');
      }
      // A site that showed the track a moment ago (kept in memory) does not make it playable here.
      await notFound(JAZZ, 'stream', { id: out.trackId });
    });

    it("the web player's API shows only albums in scope, and its signed links play on the tenant's site", async () => {
      const jazz = accounts[JAZZ].client;
      const listed = await jazz.get('/api/music/albums');
      assert.equal(listed.status, 200, listed.text);
      assert.deepEqual(
        [listed.body.total, (listed.body.albums as unknown as Json[]).map((a) => a.name)],
        [1, ['Blue Night']],
      );
      assert.equal((await jazz.get(`/api/music/albums/${albums['Loud City'].id}`)).status, 404);
      assert.equal((await jazz.get(`/api/music/artists/${artistId('The Amps')}`)).status, 404);
      assert.deepEqual(
        ((await jazz.get('/api/music/artists')).body as unknown as Json[]).map((a) => a.name),
        ['Jazz Trio'],
      );
      const album = await jazz.get(`/api/music/albums/${albums['Blue Night'].id}`);
      assert.equal(album.status, 200, album.text);
      const link = String((album.body.tracks as unknown as Json[])[0].stream);
      const played = await new HostClient(server.url, JAZZ).get(link);
      assert.equal(played.status, 200, played.text);
      assert.ok(played.bytes.equals(albums['Blue Night'].bytes));
      // With the session instead of a signature: the track in scope plays, the other one does not exist.
      assert.equal((await jazz.get(`/stream/${albums['Blue Night'].fileId}/a.mp3`)).status, 200);
      assert.equal((await jazz.get(`/stream/${albums['Loud City'].fileId}/a.mp3`)).status, 404);
      const media = await accounts[MEDIA].client.get(`/stream/${albums['Loud City'].fileId}/a.mp3`);
      assert.equal(media.status, 200);
    });

    it("answers each site's /stream by its own scope when requests of both share one record lookup", async () => {
      const fileId = albums['Loud City'].fileId;
      const missing = '0'.repeat(24);
      const notThere = await accounts[JAZZ].client.get(`/stream/${missing}/a.mp3`);
      for (let round = 0; round < 5; round++) {
        // A cold record (a rename, say, dropped it), asked for by both sites at once: whichever starts
        // the lookup, the other shares it (test/unit/file-record-cache.test.ts fixes the order).
        await server.app.get(FileChangeBus).publish([fileId]);
        const [refused, served] = await Promise.all([
          accounts[JAZZ].client.get(`/stream/${fileId}/a.mp3`),
          accounts[MEDIA].client.get(`/stream/${fileId}/a.mp3`),
        ]);
        assert.deepEqual([refused.status, served.status], [404, 200], `round ${round}`);
        // Out of scope reads like missing: the site cannot tell the file exists elsewhere.
        assert.equal(refused.body.message, String(notThere.body.message).replace(missing, fileId));
      }
    });

    it("the web player's cover links show an album's cover in scope and 404 one out of it; other sites show both", async () => {
      const inside = albums['Blue Night'];
      const out = albums['Loud City'];
      const jazz = accounts[JAZZ].client;
      const listed = await jazz.get('/api/music/albums');
      const albumCover = String((listed.body.albums as unknown as Json[])[0].cover);
      const album = await jazz.get(`/api/music/albums/${inside.id}`);
      const trackCover = String((album.body.tracks as unknown as Json[])[0].cover);
      for (const link of [albumCover, trackCover]) {
        const cover = await new HostClient(server.url, JAZZ).get(link);
        assert.equal(cover.status, 200, `${link}: ${cover.text}`);
        assert.ok(cover.bytes.equals(inside.coverBytes), link);
      }
      assert.equal((await jazz.get(`/stream/${inside.coverFileId}/cover.jpg`)).status, 200);
      assert.equal((await jazz.get(`/stream/${out.coverFileId}/cover.jpg`)).status, 404);
      const media = await accounts[MEDIA].client.get(`/stream/${out.coverFileId}/cover.jpg`);
      assert.equal(media.status, 200);
      assert.ok(media.bytes.equals(out.coverBytes));
      assert.equal((await operator.get(`/stream/${out.coverFileId}/cover.jpg`)).status, 200);
    });

    it('a cover follows its album when the album is filed again with another cover', async () => {
      const music = server.app.get(MusicRepository);
      const refile = async (coverFileId: string) => {
        const {
          tracks: _tracks,
          createdAt: _created,
          updatedAt: _updated,
          ...album
        } = (await music.findAlbum(albums['Loud City'].id))!;
        await music.fileAlbum({ ...album, coverFileId }, []);
      };
      const covers: string[] = [];
      for (const shade of [100, 110]) {
        const cover = await stored(
          `loud-${shade}.jpg`,
          await pageImage(300, 300, shade, 'jpeg'),
          'image/jpeg',
        );
        covers.push(String(cover._id));
        await refile(String(cover._id));
      }
      const [replaced, current] = covers;
      const media = accounts[MEDIA].client;
      // The site showing every album shows the album's cover, not the one it no longer uses.
      assert.equal((await media.get(`/stream/${current}/cover.jpg`)).status, 200);
      assert.equal((await media.get(`/stream/${replaced}/cover.jpg`)).status, 404);
      assert.equal((await accounts[JAZZ].client.get(`/stream/${current}/cover.jpg`)).status, 404);
      assert.equal((await operator.get(`/stream/${replaced}/cover.jpg`)).status, 200);
    });
  });

  describe('manga', () => {
    const harbor = () => series['Harbor Tales'];
    const night = () => series['Night Shift'];
    const pagePath = (s: Series, suffix = '/pages/1') =>
      `/api/readvault/chapters/${encodeURIComponent(s.chapterId)}${suffix}`;

    it('OPDS feeds (latest, A–Z, genres, search) list only series in scope; other sites list both', async () => {
      assert.deepEqual(await feedTitles(JAZZ, '/opds/v1.2/series'), ['Harbor Tales']);
      assert.deepEqual(await feedTitles(JAZZ, '/opds/v1.2/series/a-z'), ['Harbor Tales']);
      assert.deepEqual(await feedTitles(JAZZ, '/opds/v1.2/genres'), ['Sea']);
      assert.deepEqual(await feedTitles(JAZZ, '/opds/v1.2/genres/horror'), []);
      assert.deepEqual(await feedTitles(JAZZ, '/opds/v1.2/search?q=night'), []);
      assert.deepEqual(await feedTitles(JAZZ, '/opds/v1.2/search?q=harbor'), ['Harbor Tales']);
      for (const host of [MEDIA, DEFAULT]) {
        assert.deepEqual((await feedTitles(host, '/opds/v1.2/series/a-z')).sort(), [
          'Harbor Tales',
          'Night Shift',
        ]);
        assert.deepEqual(await feedTitles(host, '/opds/v1.2/search?q=night'), ['Night Shift']);
        assert.deepEqual((await feedTitles(host, '/opds/v1.2/genres')).sort(), ['Horror', 'Sea']);
      }
    });

    it('answers 404 for a series, chapter, page, download or PSE page out of scope, even one just read elsewhere', async () => {
      const chapter = (s: Series) => encodeURIComponent(s.chapterId);
      // The operator's site reads Night Shift first: its records and page bytes are then kept in memory.
      for (let i = 0; i < 2; i++) {
        const read = await new HostClient(server.url, DEFAULT).get(pagePath(night()));
        assert.equal(read.status, 200);
        assert.ok(read.bytes.equals(night().page));
      }
      const jazz = accounts[JAZZ].client;
      for (const path of [
        `/api/readvault/series/${night().id}`,
        pagePath(night(), ''),
        pagePath(night()),
        pagePath(night(), '/pages/1?width=320'),
        pagePath(night(), '/progress'),
      ]) {
        const res = await jazz.get(path);
        assert.equal(res.status, 404, `${path}: ${res.text}`);
      }
      assert.equal((await jazz.get(`/read/${chapter(night())}`, { accept: 'text/html' })).status, 404);
      for (const path of [
        `/opds/v1.2/series/${night().id}`,
        `/opds/v1.2/chapters/${chapter(night())}/file`,
        `/opds/v1.2/chapters/${chapter(night())}/pages/1`,
        `/opds/v1.2/chapters/${chapter(night())}/pse/0`,
      ]) {
        assert.equal((await opds(JAZZ, path)).status, 404, path);
      }

      // In scope, everything reads.
      const page = await jazz.get(pagePath(harbor()));
      assert.equal(page.status, 200);
      assert.ok(page.bytes.equals(harbor().page));
      assert.equal((await jazz.get(`/read/${chapter(harbor())}`, { accept: 'text/html' })).status, 200);
      assert.equal((await opds(JAZZ, `/opds/v1.2/chapters/${chapter(harbor())}/pse/0`)).status, 200);
      assert.deepEqual(await feedTitles(JAZZ, `/opds/v1.2/series/${harbor().id}`), [
        'Harbor Tales Vol. 1 Ch. 1',
      ]);
      // And the site showing every manga reads Night Shift.
      const media = await accounts[MEDIA].client.get(pagePath(night()));
      assert.equal(media.status, 200);
      assert.equal((await opds(MEDIA, `/opds/v1.2/chapters/${chapter(night())}/file`)).status, 200);
    });
  });

  it("meters a tenant's track bytes (raw and transcoded) and page bytes in its usage", async () => {
    const meter = server.app.get(TenantUsageMeter);
    const counted = async () => {
      // Twice: a flush the timer started earlier may not hold the latest bytes; the second one does.
      await meter.flush();
      await meter.flush();
      const days = await server.app.get(TenantUsageRepository).countedBytes(tenantIds[JAZZ], [usageDay()]);
      return days.get(usageDay()) ?? 0;
    };
    const before = await counted();
    const track = await rest(JAZZ, 'stream', { id: albums['Blue Night'].trackId });
    const transcoded = await rest(JAZZ, 'stream', { id: albums['Blue Night'].trackId, format: 'opus' });
    assert.equal(transcoded.headers['content-type'], 'audio/ogg');
    assert.ok(transcoded.bytes.length > 0);
    const page = await accounts[JAZZ].client.get(
      `/api/readvault/chapters/${encodeURIComponent(series['Harbor Tales'].chapterId)}/pages/1`,
    );
    const pse = await opds(
      JAZZ,
      `/opds/v1.2/chapters/${encodeURIComponent(series['Harbor Tales'].chapterId)}/pse/0`,
    );
    assert.deepEqual([track.status, page.status, pse.status], [200, 200, 200]);
    const sent = [track, transcoded, page, pse].reduce((sum, res) => sum + res.bytes.length, 0);
    assert.equal(await counted(), before + sent);
  });

  it('meters no HEAD of a page, a PSE page or a CBZ (headers only), and a GET of each once', async () => {
    const meter = server.app.get(TenantUsageMeter);
    const counted = async (tenantId: string) => {
      await meter.flush();
      await meter.flush();
      const days = await server.app.get(TenantUsageRepository).countedBytes(tenantId, [usageDay()]);
      return days.get(usageDay()) ?? 0;
    };
    const chapter = encodeURIComponent(series['Harbor Tales'].chapterId);
    const { name, password } = accounts[JAZZ];
    const basic = { authorization: `Basic ${Buffer.from(`${name}:${password}`).toString('base64')}` };
    // The page API takes anonymous requests: anyone may ask, so a HEAD must cost the site nothing.
    const paths = [
      [`/api/readvault/chapters/${chapter}/pages/1`, {}],
      [`/api/readvault/chapters/${chapter}/pages/1?width=320`, {}],
      [`/opds/v1.2/chapters/${chapter}/pages/1`, basic],
      [`/opds/v1.2/chapters/${chapter}/pse/0`, basic],
      [`/opds/v1.2/chapters/${chapter}/file`, basic],
    ] as const;
    const ask = (method: string, host: string, [path, headers]: (typeof paths)[number]) =>
      new HostClient(server.url, host).request(method, path, { headers: { ...headers } });

    const before = await counted(tenantIds[JAZZ]);
    const heads = [];
    for (let round = 0; round < 2; round += 1) {
      for (const path of paths) heads.push(await ask('HEAD', JAZZ, path));
    }
    assert.deepEqual(
      heads.map((res) => res.status),
      heads.map(() => 200),
    );
    assert.equal(await counted(tenantIds[JAZZ]), before, 'HEADs are not metered');

    const gets = [];
    for (const path of paths) gets.push(await ask('GET', JAZZ, path));
    assert.deepEqual(
      gets.map((res) => res.status),
      gets.map(() => 200),
    );
    const sent = gets.reduce((sum, res) => sum + res.bytes.length, 0);
    assert.equal(await counted(tenantIds[JAZZ]), before + sent);
    // A HEAD announces the length its GET sends (a resized page's once it has been made), still unmetered.
    const later = [];
    for (const path of paths) later.push(await ask('HEAD', JAZZ, path));
    assert.deepEqual(
      later.map((res) => Number(res.headers['content-length'])),
      gets.map((res) => res.bytes.length),
    );
    assert.equal(await counted(tenantIds[JAZZ]), before + sent, 'HEADs are not metered');

    // The default site's pages too: a HEAD (the Express route) nothing, a GET (the fast path) once.
    const defaultPage = [`/api/readvault/chapters/${chapter}/pages/1`, {}] as const;
    const beforeDefault = await counted('default');
    await ask('HEAD', DEFAULT, defaultPage);
    await ask('HEAD', DEFAULT, defaultPage);
    assert.equal(await counted('default'), beforeDefault);
    const read = await ask('GET', DEFAULT, defaultPage);
    assert.equal(read.status, 200);
    assert.equal(await counted('default'), beforeDefault + read.bytes.length);
  });

  it('follows a change of scope: playlists and stars keep only what the site now shows', async () => {
    const inside = albums['Blue Night'];
    const out = albums['Loud City'];
    const created = await subsonic(MEDIA, 'createPlaylist', { name: 'mix' });
    assert.equal(created.status, 'ok', JSON.stringify(created));
    const id = String(created.playlist.id);
    for (const songId of [out.trackId, inside.trackId]) {
      assert.equal(
        (await subsonic(MEDIA, 'updatePlaylist', { playlistId: id, songIdToAdd: songId })).status,
        'ok',
      );
    }
    for (const albumIdToStar of [out.id, inside.id]) {
      assert.equal((await subsonic(MEDIA, 'star', { albumId: albumIdToStar })).status, 'ok');
    }
    assert.equal((await subsonic(MEDIA, 'getPlaylist', { id })).playlist.songCount, 2);

    const changed = await operator.patch(`/api/tenants/${tenantIds[MEDIA]}`, {
      scope: { mode: 'filtered', genres: ['Jazz'] },
    });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    const playlist = (await subsonic(MEDIA, 'getPlaylist', { id })).playlist;
    assert.deepEqual(
      [playlist.songCount, playlist.entry.map((s: Json) => s.title)],
      [1, ['Blue Night Theme']],
    );
    assert.equal((await subsonic(MEDIA, 'getPlaylists')).playlists.playlist[0].songCount, 1);
    // Night Shift (read on this site a moment ago) is gone from it at once.
    const night = `/api/readvault/chapters/${encodeURIComponent(series['Night Shift'].chapterId)}/pages/1`;
    assert.equal((await accounts[MEDIA].client.get(night)).status, 404);
    assert.deepEqual(
      (await subsonic(MEDIA, 'getStarred2')).starred2.album.map((a: Json) => a.name),
      ['Blue Night'],
    );
    const web = (await accounts[MEDIA].client.get('/api/music/playlists')).body as unknown as Json[];
    assert.deepEqual(
      web.map((p) => p.songCount),
      [1],
    );
    // Removing the first entry the client sees removes Blue Night, not the hidden song before it.
    assert.equal(
      (await subsonic(MEDIA, 'updatePlaylist', { playlistId: id, songIndexToRemove: '0' })).status,
      'ok',
    );
    const onDefault = await operator.patch(`/api/tenants/${tenantIds[MEDIA]}`, {
      scope: { mode: 'all' },
    });
    assert.equal(onDefault.status, 200, JSON.stringify(onDefault.body));
    assert.deepEqual(
      (await subsonic(MEDIA, 'getPlaylist', { id })).playlist.entry.map((s: Json) => s.title),
      ['Loud City Theme'],
    );
    assert.deepEqual(await feedTitles(MEDIA, '/opds/v1.2/search?q=night'), ['Night Shift']);
    assert.equal((await subsonic(JAZZ, 'getSong', { id: out.trackId })).error.code, 70);
  });

  it('createPlaylist over an existing playlist keeps the songs the site hides, in their places', async () => {
    const inside = albums['Blue Night'];
    const out = albums['Loud City'];
    const scope = async (value: Json) => {
      const changed = await operator.patch(`/api/tenants/${tenantIds[MEDIA]}`, { scope: value });
      assert.equal(changed.status, 200, JSON.stringify(changed.body));
    };
    await scope({ mode: 'all' });
    const id = String((await subsonic(MEDIA, 'createPlaylist', { name: 'both' })).playlist.id);
    for (const songId of [out.trackId, inside.trackId]) {
      assert.equal(
        (await subsonic(MEDIA, 'updatePlaylist', { playlistId: id, songIdToAdd: songId })).status,
        'ok',
      );
    }

    // The site now hides Loud City: the client, shown Blue Night only, sends its whole list back.
    await scope({ mode: 'filtered', genres: ['Jazz'] });
    const replaced = await subsonic(MEDIA, 'createPlaylist', {
      playlistId: id,
      name: 'renamed',
      songId: inside.trackId,
    });
    assert.equal(replaced.status, 'ok', JSON.stringify(replaced));
    assert.deepEqual(
      replaced.playlist.entry.map((s: Json) => s.title),
      ['Blue Night Theme'],
    );

    await scope({ mode: 'all' });
    const playlist = (await subsonic(MEDIA, 'getPlaylist', { id })).playlist;
    assert.equal(playlist.name, 'renamed');
    assert.deepEqual(
      playlist.entry.map((s: Json) => s.title),
      ['Loud City Theme', 'Blue Night Theme'],
    );
  });

  it("the home page's continue row lists only titles the site shows", async () => {
    const library = server.app.get(LibraryService);
    const movies: Record<string, string> = {};
    for (const [name, genre] of [
      ['Deep Blue', 'Sea'],
      ['Dark House', 'Horror'],
    ] as const) {
      const title = await library.upsertSkeleton({ kind: 'movie', name });
      await library.updateTitle(title._id, { genres: [genre] });
      const fileId = await createMediaFile(server.app, `${name}.mkv`);
      await library.attachFile(title._id, fileId);
      movies[name] = String(fileId);
    }
    // The media site starts out showing albums and manga only: it shows every kind for this test.
    const everything = await operator.patch(`/api/tenants/${tenantIds[MEDIA]}`, { scope: { mode: 'all' } });
    assert.equal(everything.status, 200, JSON.stringify(everything.body));
    // Its account starts both films.
    const media = accounts[MEDIA].client;
    for (const name of ['Deep Blue', 'Dark House']) {
      const saved = await media.request('PUT', `/api/progress/${movies[name]}`, {
        json: { position: 100, duration: 6000 },
      });
      assert.equal(saved.status, 200, saved.text);
    }
    const row = async (limit = 12) => {
      const res = await media.get(`/api/progress/continue?limit=${limit}`);
      assert.equal(res.status, 200, res.text);
      return (res.body as unknown as Json[]).map((item) => item.title?.name);
    };
    assert.deepEqual(await row(), ['Dark House', 'Deep Blue']);

    const changed = await operator.patch(`/api/tenants/${tenantIds[MEDIA]}`, {
      scope: { mode: 'filtered', genres: ['sea'] },
    });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.deepEqual(await row(), ['Deep Blue']);
    // The limit counts the entries shown: the newest one, hidden, does not take the only place.
    assert.deepEqual(await row(1), ['Deep Blue']);
    const restored = await operator.patch(`/api/tenants/${tenantIds[MEDIA]}`, { scope: { mode: 'all' } });
    assert.equal(restored.status, 200, JSON.stringify(restored.body));
    assert.deepEqual(await row(), ['Dark House', 'Deep Blue']);
  });

  it('covers of albums filed before the cover lookup existed are judged once the boot backfill ran', async () => {
    const connection = server.app.get(MongoConnection).connection;
    const old: Record<string, string> = {};
    for (const [name, artist, genre, shade] of [
      ['Old Standards', 'Old Trio', 'Jazz', 50],
      ['Old Noise', 'Old Amps', 'Rock', 70],
    ] as const) {
      const cover = await stored(`${name}.jpg`, await pageImage(300, 300, shade, 'jpeg'), 'image/jpeg');
      await connection.collection('music_albums').insertOne({
        _id: albumId(artist, name) as never,
        name,
        artistId: artistId(artist),
        artist,
        genres: [genre],
        compilation: false,
        coverFileId: String(cover._id),
        tracks: [],
        createdAt: new Date(),
        updatedAt: new Date(),
      });
      old[name] = String(cover._id);
    }
    // As an install from before the lookup: neither the albums' covers nor the done marker are in it.
    await connection.collection('music_covers').deleteMany({});
    const jazz = accounts[JAZZ].client;
    assert.equal((await jazz.get(`/stream/${old['Old Standards']}/cover.jpg`)).status, 404);

    const backfill = server.app.get(MusicCoverBackfill);
    assert.equal(await backfill.run(), true);
    assert.equal((await jazz.get(`/stream/${old['Old Standards']}/cover.jpg`)).status, 200);
    assert.equal((await jazz.get(`/stream/${old['Old Noise']}/cover.jpg`)).status, 404);
    assert.equal((await operator.get(`/stream/${old['Old Noise']}/cover.jpg`)).status, 200);
    assert.equal(await backfill.run(), false, 'once per install');
  });
});
