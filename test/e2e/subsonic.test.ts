import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ResizedCoverCache } from '../../src/music/streaming/resized-cover-cache.js';
import { SubsonicAuth } from '../../src/music/subsonic/subsonic-auth.js';
import sharp from 'sharp';
import { SubsonicAPI } from 'subsonic-api';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { firstAppPasswordUse } from '../support/app-password-use.js';
import { eventually } from '../support/eventually.js';
import {
  type InProcessApp,
  signInAdmin,
  signInNewUser,
  startInProcessApp,
} from '../support/in-process-app.js';
import { albumPackEntries, subsonicToken, SYNCED_LYRICS, toneFile } from '../support/music.js';
import { ingestLink, startLinkServer } from '../support/link-server.js';
import { makeZip } from '../support/zip.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** What ffprobe reads in a stream's bytes: container, codec, duration (seconds). */
function ffprobe(bytes: Buffer): { format: string; codec: string; duration: number } {
  const dir = mkdtempSync(join(tmpdir(), 'sv-probe-'));
  const path = join(dir, 'stream.bin');
  writeFileSync(path, bytes);
  const out = JSON.parse(
    execFileSync('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', path], {
      encoding: 'utf8',
    }),
  ) as { format: { format_name: string; duration: string }; streams: { codec_name: string }[] };
  return {
    format: out.format.format_name,
    codec: out.streams[0].codec_name,
    duration: Number(out.format.duration),
  };
}

/** ffmpeg processes that are children of this test process (the in-process app spawns them). */
function ffmpegChildren(): string[] {
  const out = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], {
    encoding: 'utf8',
  }).trim();
  return out
    .split('\n')
    .filter((line) => /ffmpeg/.test(line))
    .map((line) => line.trim());
}

describe('Subsonic API: a Subsonic client library plays the library with app passwords', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let files: Awaited<ReturnType<typeof startLinkServer>>;
  let password: string;
  let otherPassword: string;
  let token: SubsonicAPI;
  let apiKey: SubsonicAPI;
  let form: SubsonicAPI;
  let other: SubsonicAPI;
  let album: Json;
  let aurora: Json;

  before(async () => {
    db = await startTestDatabase();
    files = await startLinkServer();
    server = await startInProcessApp({
      MONGODB_URI: db.uri,
      ROLE: 'all',
      INGEST_ALLOW_HOSTS: `127.0.0.1:${files.port}`,
      TRANSCODE_CONCURRENCY: '2',
      TRANSCODE_QUEUE_WAIT_MS: '200',
    });
    const admin = await signInAdmin(server);
    const pack = await ingestLink(admin, files.url('pack.zip', makeZip(await albumPackEntries())), {
      timeoutMs: 120000,
      intervalMs: 250,
    });
    assert.equal(pack.state, 'done', String(pack.error));
    const dir = mkdtempSync(join(tmpdir(), 'sv-long-'));
    const drone = toneFile(join(dir, 'drone.flac'), {
      seconds: 600,
      frequency: 220,
      tags: { title: 'Long Drone', artist: 'Drone Unit', album: 'Hours' },
    });
    const long = await ingestLink(admin, files.url('Long Drone.flac', drone), {
      timeoutMs: 120000,
      intervalMs: 250,
    });
    assert.equal(long.state, 'done', String(long.error));
    const listener = await signInNewUser(server, 'listener', 'viewer');
    password = String((await listener.post('/api/auth/app-passwords', { label: 'Symfonium' })).body.password);
    const stranger = await signInNewUser(server, 'stranger', 'viewer');
    otherPassword = String((await stranger.post('/api/auth/app-passwords', { label: 'DSub' })).body.password);
    token = new SubsonicAPI({ url: server.url, auth: { username: 'listener', password } });
    apiKey = new SubsonicAPI({ url: server.url, auth: { apiKey: password } });
    form = new SubsonicAPI({ url: server.url, auth: { username: 'listener', password }, post: true });
    other = new SubsonicAPI({ url: server.url, auth: { username: 'stranger', password: otherPassword } });
  });
  after(async () => {
    await server?.close();
    await files?.close();
    await db?.stop();
  });

  /** A raw call (for what the library does not send: `p`, XML), with the listener's token auth added. */
  const raw = (
    method: string,
    args: Record<string, string> = {},
    auth: Record<string, string> | 'token' = 'token',
  ) => {
    const salt = 'c0ffee';
    const credentials = auth === 'token' ? subsonicToken('listener', password, salt) : auth;
    const query = new URLSearchParams({ v: '1.16.1', c: 'test', ...credentials, ...args });
    return fetch(`${server.url}/rest/${method}?${query}`);
  };
  const json = async (
    method: string,
    args: Record<string, string> = {},
    auth: Record<string, string> | 'token' = 'token',
  ) => {
    const res = await raw(method, { f: 'json', ...args }, auth);
    assert.equal(res.status, 200, `${method} answers 200`);
    return ((await res.json()) as Json)['subsonic-response'] as Json;
  };

  describe('authentication', () => {
    it('accepts an app password as a token (u+t+s), an apiKey, a POST form, and u+p in clear or enc:hex', async () => {
      for (const client of [token, apiKey, form]) {
        const ping = (await client.ping()) as Json;
        assert.equal(ping.status, 'ok', JSON.stringify(ping));
        assert.equal(ping.openSubsonic, true);
        assert.equal(ping.type, 'streamvault');
        assert.equal(ping.version, '1.16.1');
        assert.ok(ping.serverVersion);
      }
      assert.equal((await json('ping', {}, { u: 'listener', p: password })).status, 'ok');
      const hex = `enc:${Buffer.from(password).toString('hex')}`;
      assert.equal((await json('ping', {}, { u: 'listener', p: hex })).status, 'ok');
      const info = (await apiKey.custom('tokenInfo', { f: 'json' }).then((res) => res.json())) as Json;
      assert.equal(info['subsonic-response'].tokenInfo.username, 'listener');
    });

    it('answers wrong or missing credentials with Subsonic error codes and HTTP 200', async () => {
      const wrong = await json('ping', {}, { u: 'listener', p: 'not-the-password' });
      assert.deepEqual([wrong.status, wrong.error.code], ['failed', 40]);
      const accountPassword = await json('ping', {}, { u: 'listener', p: 'listener-password' });
      assert.equal(accountPassword.error.code, 40, 'the account password is never accepted');
      const otherUsers = await json('ping', {}, { u: 'listener', p: otherPassword });
      assert.equal(otherUsers.error.code, 40, "another user's app password does not sign in as this user");
      assert.equal((await json('ping', {}, {})).error.code, 10);
      assert.equal((await json('ping', {}, { u: 'listener' })).error.code, 10);
      assert.equal((await json('ping', {}, { apiKey: 'svp_nope' })).error.code, 44);
      assert.equal((await json('ping', {}, { apiKey: password, u: 'listener' })).error.code, 43);
      const xml = await (await raw('ping', {}, { u: 'listener', p: 'nope' })).text();
      assert.match(
        xml,
        /<subsonic-response [^>]*status="failed"[^>]*><error code="40" message="[^"]+"\/><\/subsonic-response>/,
      );
    });

    it('authenticates before anything else: user management answers 40 or 10 without sign-in, then 50', async () => {
      // Wrong credentials under a name of their own: the listener's and stranger's allowances stay whole.
      const intruder = new SubsonicAPI({ url: server.url, auth: { username: 'intruder', password } });
      const anonymous = (method: string) => json(method, {}, {});
      const userManagement: [string, (client: SubsonicAPI) => Promise<unknown>][] = [
        ['getUser', (client) => client.getUser({ username: 'listener' })],
        ['getUsers', (client) => client.getUsers()],
        ['createUser', (client) => client.createUser({ username: 'mallory', password: 'x', email: 'm@x' })],
        [
          'updateUser',
          (client) =>
            client.updateUser({ username: 'listener', password: 'x', email: 'l@x', adminRole: true }),
        ],
        ['deleteUser', (client) => client.deleteUser({ username: 'stranger' })],
        ['changePassword', (client) => client.changePassword({ username: 'listener', password: 'x' })],
      ];
      for (const [method, call] of userManagement) {
        assert.equal(((await call(intruder)) as Json).error?.code, 40, `${method}: wrong password`);
        assert.equal((await anonymous(method)).error?.code, 10, `${method}: no credentials`);
      }
      for (const [method, call] of userManagement.slice(1)) {
        const refused = (await call(token)) as Json;
        assert.deepEqual(
          [refused.status, refused.error?.code, refused.error?.message],
          ['failed', 50, 'user is not authorized for the given operation'],
          `${method}: app passwords carry viewer rights only`,
        );
      }
      assert.equal((await anonymous('getPodcasts')).error.code, 10, 'an unknown method: sign-in first too');
      assert.equal((await json('getPodcasts', {}, { u: 'intruder', p: 'nope' })).error.code, 40);
      assert.equal((await json('getPodcasts')).error.code, 70, 'then not found');
    });
  });

  describe('browsing', () => {
    it('lists artists, albums and songs (getIndexes, getArtists, getArtist, getAlbum, getSong, getMusicDirectory)', async () => {
      const artists = (await token.getArtists()) as Json;
      const names = artists.artists.index.flatMap((index: Json) => index.artist.map((a: Json) => a.name));
      for (const name of ['Lumen Quartet', 'Various Artists', 'Ann Sun', 'Bob Sea', 'Drone Unit']) {
        assert.ok(names.includes(name), `${name} listed`);
      }
      const indexes = (await token.getIndexes()) as Json;
      assert.ok(indexes.indexes.index.some((index: Json) => index.name === 'L'));
      const lumen = artists.artists.index
        .flatMap((index: Json) => index.artist)
        .find((a: Json) => a.name === 'Lumen Quartet');
      const artist = (await token.getArtist({ id: lumen.id })) as Json;
      assert.deepEqual(
        artist.artist.album.map((a: Json) => a.name),
        ['Northern Lights'],
      );
      album = ((await token.getAlbum({ id: artist.artist.album[0].id })) as Json).album;
      assert.equal(album.songCount, 4);
      assert.equal(album.year, 2019);
      assert.ok(album.coverArt);
      assert.deepEqual(
        album.song.map((s: Json) => [s.track, s.title, s.suffix]),
        [
          [1, 'Aurora', 'flac'],
          [2, 'Polar Night', 'mp3'],
          [3, 'Borealis', 'ogg'],
          [5, 'Untagged Song', 'wav'],
        ],
      );
      aurora = album.song[0];
      const song = ((await token.getSong({ id: aurora.id })) as Json).song;
      assert.deepEqual(
        [song.title, song.artist, song.album, song.contentType],
        ['Aurora', 'Lumen Quartet', 'Northern Lights', 'audio/flac'],
      );
      const folder = ((await token.getMusicDirectory({ id: lumen.id })) as Json).directory;
      assert.deepEqual(
        [folder.name, folder.child[0].title, folder.child[0].isDir],
        ['Lumen Quartet', 'Northern Lights', true],
      );
      const albumFolder = ((await token.getMusicDirectory({ id: album.id })) as Json).directory;
      assert.equal(albumFolder.child.length, 4);
      const folders = ((await token.getMusicFolders()) as Json).musicFolders.musicFolder;
      assert.equal(folders.length, 1);
      const missing = (await token.getAlbum({ id: 'al-00000000000000000000' })) as Json;
      assert.deepEqual([missing.status, missing.error.code], ['failed', 70]);
      const noId = (await token.getAlbum({} as never)) as Json;
      assert.equal(noId.error.code, 10);
    });

    it('lists albums every getAlbumList2 way, and getAlbumList', async () => {
      const list = async (type: string, extra: Json = {}) =>
        (
          ((await token.getAlbumList2({ type, size: 50, ...extra } as never)) as Json).albumList2.album ?? []
        ).map((a: Json) => a.name);
      assert.deepEqual(await list('alphabeticalByName'), ['Hours', 'Northern Lights', 'Summer Hits']);
      assert.deepEqual(await list('alphabeticalByArtist'), ['Hours', 'Northern Lights', 'Summer Hits']);
      assert.deepEqual((await list('random')).sort(), ['Hours', 'Northern Lights', 'Summer Hits']);
      assert.equal((await list('newest')).length, 3);
      assert.deepEqual(await list('byYear', { fromYear: 2010, toYear: 2020 }), ['Northern Lights']);
      assert.deepEqual(await list('byGenre', { genre: 'Pop' }), ['Summer Hits']);
      assert.deepEqual(await list('alphabeticalByName', { size: 1, offset: 1 }).then((l: string[]) => l), [
        'Northern Lights',
      ]);
      for (const type of ['frequent', 'recent', 'starred'])
        assert.deepEqual(await list(type), [], `${type} starts empty`);
      const v1 = (await token.getAlbumList({ type: 'alphabeticalByName' } as never)) as Json;
      assert.deepEqual(
        v1.albumList.album.map((a: Json) => [a.title, a.isDir]),
        [
          ['Hours', true],
          ['Northern Lights', true],
          ['Summer Hits', true],
        ],
      );
      const bad = (await token.getAlbumList2({ type: 'nonsense' } as never)) as Json;
      assert.equal(bad.status, 'failed');
    });

    it('answers genres, songs by genre and random songs', async () => {
      const genres = ((await token.getGenres()) as Json).genres.genre;
      const pop = genres.find((g: Json) => g.value === 'Pop');
      assert.deepEqual([pop.songCount, pop.albumCount], [2, 1]);
      const songs = ((await token.getSongsByGenre({ genre: 'Ambient' } as never)) as Json).songsByGenre.song;
      assert.deepEqual(
        songs.map((s: Json) => s.title),
        ['Aurora', 'Polar Night'],
      );
      const random = ((await token.getRandomSongs({ size: 3 } as never)) as Json).randomSongs.song;
      assert.equal(random.length, 3);
      assert.equal(new Set(random.map((s: Json) => s.id)).size, 3);
    });

    it('searches artists, albums and songs (search2, search3), and pages through everything on an empty query', async () => {
      const found = ((await token.search3({ query: 'north' })) as Json).searchResult3;
      assert.deepEqual(
        found.album.map((a: Json) => a.name),
        ['Northern Lights'],
      );
      assert.equal(found.song.length, 4, 'songs match by album name');
      const bob = ((await token.search3({ query: 'bob sea' })) as Json).searchResult3;
      assert.deepEqual(
        [bob.artist.map((a: Json) => a.name), bob.song.map((s: Json) => s.title)],
        [['Bob Sea'], ['Sea']],
      );
      const seen: string[] = [];
      for (let offset = 0; ; offset += 3) {
        const page = (
          (await token.search3({
            query: '',
            songCount: 3,
            songOffset: offset,
            artistCount: 0,
            albumCount: 0,
          })) as Json
        ).searchResult3;
        if (!page.song?.length) break;
        seen.push(...page.song.map((s: Json) => s.id));
      }
      assert.equal(seen.length, 7, 'every song once');
      assert.equal(new Set(seen).size, 7);
      const quoted = ((await token.search3({ query: '""', albumCount: 10 })) as Json).searchResult3;
      assert.equal(quoted.album.length, 3);
      const v2 = ((await token.search2({ query: 'aurora' })) as Json).searchResult2;
      assert.deepEqual(
        v2.song.map((s: Json) => s.title),
        ['Aurora'],
      );
    });
  });

  describe('user data', () => {
    it('stars, unstars and lists starred things (getStarred, getStarred2), and rates', async () => {
      assert.equal(((await token.star({ id: aurora.id, albumId: album.id } as never)) as Json).status, 'ok');
      const starred = ((await token.getStarred2()) as Json).starred2;
      assert.deepEqual(
        [starred.song.map((s: Json) => s.title), starred.album.map((a: Json) => a.name)],
        [['Aurora'], ['Northern Lights']],
      );
      assert.ok(((await token.getSong({ id: aurora.id })) as Json).song.starred);
      assert.equal(((await token.getStarred()) as Json).starred.song.length, 1);
      assert.deepEqual(((await other.getStarred2()) as Json).starred2.song ?? [], [], 'stars are per user');
      await token.unstar({ id: aurora.id } as never);
      assert.deepEqual(((await token.getStarred2()) as Json).starred2.song ?? [], []);
      await token.setRating({ id: album.id, rating: 4 });
      assert.equal(((await token.getAlbum({ id: album.id })) as Json).album.userRating, 4);
      assert.equal(((await token.setRating({ id: album.id, rating: 9 } as never)) as Json).status, 'failed');
      assert.equal(
        ((await token.star({ id: 'tr-000000000000000000000000' } as never)) as Json).error.code,
        70,
      );
    });

    it('counts plays (scrobble) and shows what is playing now', async () => {
      await token.scrobble({ id: aurora.id, submission: false } as never);
      const playing = ((await other.getNowPlaying()) as Json).nowPlaying.entry;
      assert.deepEqual(
        playing.map((e: Json) => [e.username, e.title]),
        [['listener', 'Aurora']],
      );
      await token.scrobble({ id: aurora.id, time: Date.now() } as never);
      await form.scrobble({ id: aurora.id } as never);
      const song = ((await token.getSong({ id: aurora.id })) as Json).song;
      assert.equal(song.playCount, 2);
      assert.ok(song.played);
      const frequent = ((await token.getAlbumList2({ type: 'frequent' } as never)) as Json).albumList2.album;
      assert.deepEqual(
        frequent.map((a: Json) => a.name),
        ['Northern Lights'],
      );
      const recent = ((await token.getAlbumList2({ type: 'recent' } as never)) as Json).albumList2.album;
      assert.equal(recent.length, 1);
    });

    it('keeps playlists per user: create, read, update, delete; another user gets 70 or 50', async () => {
      const songs = album.song.map((s: Json) => s.id);
      const created = (
        (await token.createPlaylist({ name: 'Night drive', songId: [songs[0], songs[2]] } as never)) as Json
      ).playlist;
      assert.deepEqual([created.name, created.songCount, created.owner], ['Night drive', 2, 'listener']);
      await token.updatePlaylist({
        playlistId: created.id,
        name: 'Night drive 2',
        songIdToAdd: [songs[1]],
        songIndexToRemove: [0],
      } as never);
      const read = ((await token.getPlaylist({ id: created.id })) as Json).playlist;
      assert.deepEqual(
        [read.name, read.entry.map((e: Json) => e.title)],
        ['Night drive 2', ['Borealis', 'Polar Night']],
      );
      const mine = ((await token.getPlaylists()) as Json).playlists.playlist;
      assert.deepEqual(
        mine.map((p: Json) => p.name),
        ['Night drive 2'],
      );
      assert.deepEqual(((await other.getPlaylists()) as Json).playlists.playlist ?? [], []);
      assert.equal(((await other.getPlaylist({ id: created.id })) as Json).error.code, 70);
      await token.updatePlaylist({ playlistId: created.id, public: true } as never);
      assert.equal(
        ((await other.getPlaylist({ id: created.id })) as Json).playlist.songCount,
        2,
        'a public playlist is readable',
      );
      assert.equal(((await other.deletePlaylist({ id: created.id })) as Json).error.code, 50);
      assert.equal(
        ((await other.updatePlaylist({ playlistId: created.id, name: 'x' } as never)) as Json).error.code,
        50,
      );
      assert.equal(((await token.deletePlaylist({ id: created.id })) as Json).status, 'ok');
      assert.equal(((await token.getPlaylist({ id: created.id })) as Json).error.code, 70);
    });

    it('refuses a playlist name or comment too long or unsendable, and a rating outside 0–5 (error 0)', async () => {
      const refused = async (answer: unknown, message: RegExp) => {
        const body = answer as Json;
        assert.deepEqual([body.status, body.error?.code], ['failed', 0], JSON.stringify(body));
        assert.match(String(body.error.message), message);
      };
      await refused(await token.createPlaylist({ name: 'x'.repeat(256) } as never), /at most 255 characters/);
      await refused(await token.createPlaylist({ name: 'bad\uFFFFname' } as never), /cannot be sent/);
      const created = ((await token.createPlaylist({ name: 'Limits' } as never)) as Json).playlist;
      await refused(
        await token.updatePlaylist({ playlistId: created.id, comment: 'c'.repeat(1001) } as never),
        /comment is at most 1000 characters/,
      );
      // An index that is not digits removes nothing (Number(' ') was 0).
      await token.updatePlaylist({ playlistId: created.id, songIdToAdd: [aurora.id] } as never);
      await token.updatePlaylist({ playlistId: created.id, songIndexToRemove: [' ', '0x0'] } as never);
      assert.equal(((await token.getPlaylist({ id: created.id })) as Json).playlist.songCount, 1);
      await token.deletePlaylist({ id: created.id });

      await token.setRating({ id: aurora.id, rating: 2 });
      await refused(await token.setRating({ id: aurora.id, rating: -3 } as never), /rating must be 0 to 5/);
      assert.equal(((await token.getSong({ id: aurora.id })) as Json).song.userRating, 2, 'kept as it was');
      await token.setRating({ id: aurora.id, rating: 0 });
    });

    it('answers getUser for oneself only, getLicense and getOpenSubsonicExtensions', async () => {
      const user = ((await token.getUser({ username: 'listener' })) as Json).user;
      assert.deepEqual([user.username, user.streamRole, user.adminRole], ['listener', true, false]);
      assert.equal(((await token.getUser({ username: 'stranger' })) as Json).error.code, 50);
      assert.equal(((await token.getLicense()) as Json).license.valid, true);
      const extensions = ((await token.getOpenSubsonicExtensions()) as Json).openSubsonicExtensions;
      for (const name of ['apiKeyAuthentication', 'formPost', 'songLyrics', 'transcodeOffset']) {
        assert.ok(
          extensions.some((e: Json) => e.name === name),
          name,
        );
      }
    });

    it('gives lyrics: synced by song id (getLyricsBySongId) and plain by artist and title (getLyrics)', async () => {
      const list = ((await token.getLyricsBySongId({ id: aurora.id })) as Json).lyricsList.structuredLyrics;
      assert.equal(list[0].synced, true);
      assert.deepEqual(list[0].line, [
        { start: 500, value: 'First light' },
        { start: 1500, value: 'Over the ice' },
      ]);
      assert.ok(SYNCED_LYRICS.includes('First light'));
      const plain = ((await token.getLyrics({ artist: 'Lumen Quartet', title: 'Polar Night' })) as Json)
        .lyrics;
      assert.equal(plain.value, 'Dark all day');
      const xml = await (await raw('getLyrics', { artist: 'Lumen Quartet', title: 'Polar Night' })).text();
      assert.match(xml, /<lyrics artist="Lumen Quartet" title="Polar Night">Dark all day<\/lyrics>/);
    });
  });

  describe('bytes', () => {
    it('streams and downloads the original bytes with ranges', async () => {
      const whole = Buffer.from(await (await token.stream({ id: aurora.id })).arrayBuffer());
      assert.deepEqual(ffprobe(whole).codec, 'flac');
      const ranged = await raw('stream', { id: aurora.id });
      assert.equal(ranged.headers.get('accept-ranges'), 'bytes');
      await ranged.arrayBuffer();
      const salt = 'abc123';
      const query = new URLSearchParams({
        ...subsonicToken('listener', password, salt),
        v: '1.16.1',
        c: 'test',
        id: aurora.id,
      });
      const part = await fetch(`${server.url}/rest/stream.view?${query}`, {
        headers: { range: 'bytes=10-109' },
      });
      assert.equal(part.status, 206);
      assert.equal(part.headers.get('content-range'), `bytes 10-109/${whole.length}`);
      assert.ok(Buffer.from(await part.arrayBuffer()).equals(whole.subarray(10, 110)));
      const download = await token.download({ id: aurora.id });
      assert.match(download.headers.get('content-disposition') ?? '', /attachment/);
      assert.ok(Buffer.from(await download.arrayBuffer()).equals(whole));
    });

    it('answers a player’s repeated raw requests before Express once its credentials were verified; a revoke ends that at once', async () => {
      const roadie = await signInNewUser(server, 'roadie', 'viewer');
      const created = (await roadie.post('/api/auth/app-passwords', { label: 'Car' })).body;
      const auth = server.app.get(SubsonicAuth);
      const authenticate = auth.authenticate.bind(auth);
      let fullChecks = 0;
      auth.authenticate = (...args) => {
        fullChecks++;
        return authenticate(...args);
      };
      try {
        const query = new URLSearchParams({
          ...subsonicToken('roadie', String(created.password), 'fa57'),
          v: '1.16.1',
          c: 'test',
          id: aurora.id,
        });
        const stream = (headers: Record<string, string> = {}) =>
          fetch(`${server.url}/rest/stream?${query}`, { headers });
        const userId = String((await roadie.get('/api/auth/me')).body.id);
        const whole = await firstAppPasswordUse(server, userId, async () =>
          Buffer.from(await (await stream()).arrayBuffer()),
        );
        await (await stream()).arrayBuffer();
        const before = fullChecks;
        const again = await stream();
        assert.equal(again.status, 200);
        assert.ok(Buffer.from(await again.arrayBuffer()).equals(whole));
        const part = await stream({ range: 'bytes=10-109' });
        assert.equal(part.status, 206);
        assert.ok(Buffer.from(await part.arrayBuffer()).equals(whole.subarray(10, 110)));
        assert.equal(fullChecks, before, 'answered without a full check');

        assert.equal((await roadie.delete(`/api/auth/app-passwords/${String(created.id)}`)).status, 204);
        const refused = await (await fetch(`${server.url}/rest/stream?${query}&f=json`)).json();
        assert.equal((refused as Json)['subsonic-response'].error.code, 40);
        assert.equal(fullChecks, before + 1);
      } finally {
        auth.authenticate = authenticate;
      }
    });

    it('transcodes on demand to mp3, opus and aac, honours maxBitRate and timeOffset, and caches the result', async () => {
      for (const [format, codec] of [
        ['mp3', 'mp3'],
        ['opus', 'opus'],
        ['aac', 'aac'],
      ]) {
        const res = await token.stream({ id: aurora.id, format, maxBitRate: 96 } as never);
        assert.equal(res.headers.get('x-transcode-cache'), 'miss');
        const probe = ffprobe(Buffer.from(await res.arrayBuffer()));
        assert.equal(probe.codec, codec, format);
        assert.ok(Math.abs(probe.duration - 3) < 0.3, `${format} lasts the track (${probe.duration})`);
      }
      const again = await token.stream({ id: aurora.id, format: 'opus', maxBitRate: 96 } as never);
      assert.equal(again.headers.get('x-transcode-cache'), 'hit');
      assert.equal(ffprobe(Buffer.from(await again.arrayBuffer())).codec, 'opus');
      const late = await token.stream({ id: aurora.id, format: 'mp3', timeOffset: 2 } as never);
      assert.ok(ffprobe(Buffer.from(await late.arrayBuffer())).duration < 1.5, 'timeOffset skips the start');
      const bad = await (await raw('stream', { id: aurora.id, format: 'wma', f: 'json' })).json();
      assert.equal((bad as Json)['subsonic-response'].status, 'failed');
    });

    it('kills ffmpeg when the client goes away mid-transcode', async () => {
      const drone = ((await token.search3({ query: 'long drone' })) as Json).searchResult3.song[0];
      const res = await token.stream({ id: drone.id, format: 'opus' } as never);
      const reader = res.body!.getReader();
      await reader.read();
      assert.equal(ffmpegChildren().length, 1, 'one ffmpeg while streaming');
      await reader.cancel();
      await eventually(
        async () => ffmpegChildren(),
        (children) => children.length === 0,
        { timeoutMs: 5000, intervalMs: 50, what: 'no ffmpeg left' },
      );
    });

    it('runs at most TRANSCODE_CONCURRENCY transcodes; the next waits briefly, then gets a clear error', async () => {
      const drone = ((await token.search3({ query: 'long drone' })) as Json).searchResult3.song[0];
      const held = await Promise.all(
        [64, 65].map(async (kbps) => {
          const res = await token.stream({ id: drone.id, format: 'mp3', maxBitRate: kbps } as never);
          const reader = res.body!.getReader();
          await reader.read();
          return reader;
        }),
      );
      assert.equal(ffmpegChildren().length, 2);
      const third = await (
        await raw('stream', { id: drone.id, format: 'mp3', maxBitRate: '66', f: 'json' })
      ).json();
      const error = (third as Json)['subsonic-response'].error;
      assert.equal(error.code, 0);
      assert.match(error.message, /All 2 transcoding slots are busy/);
      for (const reader of held) await reader.cancel();
      await eventually(
        async () => ffmpegChildren(),
        (children) => children.length === 0,
        { timeoutMs: 5000, intervalMs: 50, what: 'no ffmpeg left' },
      );
      const after = await token.stream({ id: aurora.id, format: 'mp3', maxBitRate: 67 } as never);
      assert.equal(ffprobe(Buffer.from(await after.arrayBuffer())).codec, 'mp3', 'slots are free again');
    });

    it('serves cover art at the next listed size up, resized once per cover and size; a revalidation or HEAD resizes nothing', async (t) => {
      // Cache writes are watched (and restored after the test) by node:test's mock.
      const put = t.mock.method(server.app.get(ResizedCoverCache), 'put');
      const cover = async (size: number) => {
        const res = await token.getCoverArt({ id: album.coverArt, size } as never);
        assert.equal(res.headers.get('content-type'), 'image/jpeg');
        const bytes = Buffer.from(await res.arrayBuffer());
        const { width, height } = await sharp(bytes).metadata();
        return { etag: res.headers.get('etag'), bytes, sides: [width, height] };
      };
      const asked = [await cover(300), await cover(400), await cover(512)];
      for (const answer of asked) {
        assert.deepEqual(answer.sides, [512, 512], 'a size asked rounds up to 512');
        assert.ok(answer.bytes.equals(asked[0].bytes));
        assert.equal(answer.etag, asked[0].etag);
      }
      assert.equal(put.mock.callCount(), 1, 'resized and kept once for the three');
      assert.deepEqual((await cover(100)).sides, [128, 128]);
      assert.equal(put.mock.callCount(), 2);

      const query = new URLSearchParams({
        v: '1.16.1',
        c: 'test',
        ...subsonicToken('listener', password, 'c0ffee'),
        id: album.coverArt,
        size: '200',
      });
      const url = `${server.url}/rest/getCoverArt?${query}`;
      const head = await fetch(url, { method: 'HEAD' });
      assert.deepEqual([head.status, head.headers.get('content-type')], [200, 'image/jpeg']);
      const etag = head.headers.get('etag')!;
      const revalidated = await fetch(url, { headers: { 'if-none-match': etag } });
      assert.deepEqual([revalidated.status, revalidated.headers.get('etag')], [304, etag]);
      assert.equal(put.mock.callCount(), 2, 'neither resized the 256 px cover');
      const full = await sharp(
        Buffer.from(await (await token.getCoverArt({ id: aurora.id } as never)).arrayBuffer()),
      ).metadata();
      assert.equal(full.width, 1200);
      const none = await (await raw('getCoverArt', { id: 'al-00000000000000000000', f: 'json' })).json();
      assert.equal((none as Json)['subsonic-response'].error.code, 70);
    });
  });

  it('answers every endpoint in XML by default', async () => {
    const calls: [string, Record<string, string>, string][] = [
      ['ping', {}, 'subsonic-response'],
      ['getLicense', {}, 'license'],
      ['getOpenSubsonicExtensions', {}, 'openSubsonicExtensions'],
      ['getMusicFolders', {}, 'musicFolders'],
      ['getIndexes', {}, 'indexes'],
      ['getArtists', {}, 'artists'],
      ['getArtist', { id: album.artistId }, 'artist'],
      ['getAlbum', { id: album.id }, 'album'],
      ['getSong', { id: aurora.id }, 'song'],
      ['getMusicDirectory', { id: album.id }, 'directory'],
      ['getAlbumList', { type: 'newest' }, 'albumList'],
      ['getAlbumList2', { type: 'newest' }, 'albumList2'],
      ['getRandomSongs', {}, 'randomSongs'],
      ['getGenres', {}, 'genres'],
      ['getSongsByGenre', { genre: 'Pop' }, 'songsByGenre'],
      ['search2', { query: 'sun' }, 'searchResult2'],
      ['search3', { query: 'sun' }, 'searchResult3'],
      ['getStarred', {}, 'starred'],
      ['getStarred2', {}, 'starred2'],
      ['getPlaylists', {}, 'playlists'],
      ['getNowPlaying', {}, 'nowPlaying'],
      ['getUser', { username: 'listener' }, 'user'],
      ['getLyrics', { artist: 'Lumen Quartet', title: 'Aurora' }, 'lyrics'],
      ['getLyricsBySongId', { id: aurora.id }, 'lyricsList'],
      ['scrobble', { id: aurora.id, submission: 'false' }, 'subsonic-response'],
      ['star', { id: aurora.id }, 'subsonic-response'],
      ['unstar', { id: aurora.id }, 'subsonic-response'],
      ['setRating', { id: aurora.id, rating: '3' }, 'subsonic-response'],
      ['createPlaylist', { name: 'XML list', songId: aurora.id }, 'playlist'],
    ];
    for (const [method, args, element] of calls) {
      for (const path of [`${method}.view`, method]) {
        const res = await raw(path, args);
        assert.equal(res.status, 200, path);
        assert.match(res.headers.get('content-type') ?? '', /^text\/xml/);
        const body = await res.text();
        assert.match(
          body,
          /^<\?xml version="1.0" encoding="UTF-8"\?>\n<subsonic-response xmlns="http:\/\/subsonic.org\/restapi" status="ok" version="1.16.1" type="streamvault" serverVersion="[^"]+" openSubsonic="true"/,
          path,
        );
        assert.ok(body.includes(`<${element}`), `${path} holds <${element}>`);
      }
    }
    const playlist = /<playlist id="([^"]+)"/.exec(await (await raw('getPlaylists')).text())![1];
    for (const [method, args] of [
      ['getPlaylist', { id: playlist }],
      ['updatePlaylist', { playlistId: playlist, name: 'Renamed' }],
      ['deletePlaylist', { id: playlist }],
    ] as const) {
      assert.match(await (await raw(method, args)).text(), /status="ok"/, method);
    }
    assert.match(
      await (await raw('getCoverArt', { id: album.id })).headers.get('content-type')!,
      /image\/jpeg/,
    );
    assert.equal((await raw('stream', { id: aurora.id })).status, 200);
    assert.equal((await raw('download', { id: aurora.id })).status, 200);
    const unknown = await (await raw('getPodcasts')).text();
    assert.match(unknown, /<error code="70"/);
  });

  it('rate-limits wrong credentials per user and address, then refuses even the right password for a while', async () => {
    for (let attempt = 0; attempt < 10; attempt++) {
      assert.equal((await json('ping', {}, { u: 'stranger', p: 'guess' })).error.code, 40);
    }
    const blocked = await json('ping', {}, { u: 'stranger', p: otherPassword });
    assert.equal(blocked.error.code, 40);
    assert.match(blocked.error.message, /Too many wrong attempts/);
    assert.equal(
      (await json('ping', {}, { u: 'listener', p: password })).status,
      'ok',
      'other users are not affected',
    );
  });

  it('rate-limits wrong passwords and API keys per address too, whatever user each attempt names', async () => {
    // An address of its own (the app trusts a forwarding proxy on loopback): other tests are not blocked.
    const from = async (args: Record<string, string>) => {
      const query = new URLSearchParams({ v: '1.16.1', c: 'test', f: 'json', ...args });
      const res = await fetch(`${server.url}/rest/ping?${query}`, {
        headers: { 'x-forwarded-for': '198.51.100.23' },
      });
      return ((await res.json()) as Json)['subsonic-response'] as Json;
    };
    for (let attempt = 0; attempt < 30; attempt++) {
      const wrong = await from({ u: `guess${attempt}`, p: `guess-${attempt}` });
      assert.equal(wrong.error.code, 40);
      assert.doesNotMatch(wrong.error.message, /Too many/, `attempt ${attempt + 1} is only wrong`);
    }
    const blocked = await from({ u: 'guess30', p: 'guess-30' });
    assert.equal(blocked.error.code, 40);
    assert.match(blocked.error.message, /Too many wrong attempts/);
    const rightPassword = await from({ u: 'listener', p: password });
    assert.match(
      rightPassword.error.message,
      /Too many wrong attempts/,
      'even a right password, for a while',
    );
    const key = await from({ apiKey: 'a-guessed-key' });
    assert.equal(key.error.code, 44);
    assert.match(key.error.message, /Too many wrong attempts/, 'API keys are guesses from the same address');
    assert.equal(
      (await json('ping', {}, { u: 'listener', p: password })).status,
      'ok',
      'other addresses are not affected',
    );
  });

  it('counts an IPv6 client by its /64: a new address in it per guess does not reset the limit', async () => {
    const from = async (address: string, args: Record<string, string>) => {
      const query = new URLSearchParams({ v: '1.16.1', c: 'test', f: 'json', ...args });
      const res = await fetch(`${server.url}/rest/ping?${query}`, {
        headers: { 'x-forwarded-for': address },
      });
      return ((await res.json()) as Json)['subsonic-response'] as Json;
    };
    for (let attempt = 0; attempt < 30; attempt++) {
      const wrong = await from(`2001:db8:77:1::${(attempt + 1).toString(16)}`, {
        u: `v6-${attempt}`,
        p: 'x',
      });
      assert.doesNotMatch(wrong.error.message, /Too many/, `attempt ${attempt + 1} is only wrong`);
    }
    const blocked = await from('2001:db8:77:1:ffff::1', { u: 'v6-last', p: 'x' });
    assert.match(blocked.error.message, /Too many wrong attempts/, 'another address of the same /64');
    const neighbour = await from('2001:db8:77:2::1', { u: 'v6-last', p: 'x' });
    assert.doesNotMatch(neighbour.error.message, /Too many/, 'the next /64 is another client');
  });
});
