// Music: Subsonic search3 / getAlbumList2 latency over a generated library (BENCH_TRACKS, 100k by
// default) through HTTP, the catalog's load time, time to first byte of an opus 128k transcode, and
// BENCH_TRANSCODES concurrent transcodes (real-time factor each). Prints figures; asserts nothing.
//   npm run bench -- music
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Types } from 'mongoose';
import { AppPasswordService } from '../src/auth/app-passwords/app-password.service.js';
import { UserService } from '../src/auth/user.service.js';
import { seededRandom } from '../src/library/bulk/synthetic-titles.js';
import { MongoConnection } from '../src/core/database/mongo-connection.js';
import { RedisClient } from '../src/core/redis/redis-client.js';
import { MEDIA_STORE, type MediaStore } from '../src/core/storage/media-store.js';
import { LibraryService } from '../src/library/library.service.js';
import { albumId, artistId, trackId } from '../src/music/model/music-ids.js';
import { MusicRepository } from '../src/music/model/music.repository.js';
import { type MusicAlbum, type MusicTrack } from '../src/music/model/music.schema.js';
import { startStaticNginx, wrk } from './support/peers.js';
import { percentile } from './support/timings.js';
import { startTestDatabase } from '../test/support/database.js';
import { tempDir } from '../test/support/media.js';
import { toneFile } from '../test/support/music.js';
import { startInProcessApp } from '../test/support/in-process-app.js';

const TRACKS = Number(process.env.BENCH_TRACKS ?? 100_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 200);
const TRANSCODES = Number(process.env.BENCH_TRANSCODES ?? 20);
const TRACK_SECONDS = 60;
const WORDS = [
  'shadow',
  'river',
  'crown',
  'silent',
  'ember',
  'harbor',
  'glass',
  'iron',
  'orbit',
  'violet',
  'summit',
  'echo',
  'lantern',
  'north',
  'cipher',
  'velvet',
  'meadow',
  'thunder',
  'atlas',
  'falcon',
];
const GENRES = ['Rock', 'Pop', 'Jazz', 'Ambient', 'Metal', 'Folk', 'Soundtrack', 'Electronic'];

const RAW_SECONDS = Number(process.env.BENCH_RAW_SECONDS ?? 8);
const RAW_CONCURRENCY = 8;

/**
 * MB/s of full downloads of `url` with wrk (another process: the app under test runs in this one, so
 * a client here would share its event loop), RAW_CONCURRENCY connections for RAW_SECONDS.
 */
async function throughput(url: string): Promise<number> {
  const { bytesPerSecond } = await wrk(url, { connections: RAW_CONCURRENCY, seconds: RAW_SECONDS });
  return bytesPerSecond / (1024 * 1024);
}

function generate(count: number): {
  albums: MusicAlbum[];
  artists: { _id: string; name: string; albumIds: string[]; updatedAt: Date }[];
} {
  const random = seededRandom(17);
  const pick = () => WORDS[Math.floor(random() * WORDS.length)];
  const artists = new Map<string, { _id: string; name: string; albumIds: string[]; updatedAt: Date }>();
  const albums: MusicAlbum[] = [];
  for (let made = 0, n = 0; made < count; n++) {
    const artist = `${pick()} ${pick()} ${n % 2000}`;
    const name = `${pick()} ${pick()} ${n}`;
    const id = albumId(artist, name);
    const aid = artistId(artist);
    const genre = GENRES[n % GENRES.length];
    const tracks: MusicTrack[] = [];
    for (let t = 1; t <= 10 && made < count; t++, made++) {
      const fileId = new Types.ObjectId().toHexString();
      tracks.push({
        _id: trackId(fileId),
        fileId,
        albumId: id,
        artistId: aid,
        albumArtistId: aid,
        title: `${pick()} ${pick()}`,
        artists: [artist],
        artist,
        albumArtist: artist,
        album: name,
        track: t,
        disc: 1,
        year: 1970 + (n % 50),
        genres: [genre],
        duration: 200,
        bitRate: 320,
        sampleRate: 44100,
        channels: 2,
        suffix: 'mp3',
        contentType: 'audio/mpeg',
        compilation: false,
        musicBrainz: {},
        replayGain: {},
        size: 8_000_000,
        path: `${artist}/${name}/${t}.mp3`,
        createdAt: new Date(Date.now() - n * 1000),
      });
    }
    const entry = artists.get(aid) ?? { _id: aid, name: artist, albumIds: [], updatedAt: new Date() };
    entry.albumIds.push(id);
    artists.set(aid, entry);
    albums.push({
      _id: id,
      name,
      artistId: aid,
      artist,
      year: 1970 + (n % 50),
      genres: [genre],
      compilation: false,
      tracks,
      createdAt: new Date(Date.now() - n * 1000),
      updatedAt: new Date(),
    });
  }
  return { albums, artists: [...artists.values()] };
}

async function main() {
  const db = await startTestDatabase();
  // The library is written by one process, then a fresh manager loads it at boot (as after a restart).
  const loader = await startInProcessApp({ MONGODB_URI: db.uri, ROLE: 'worker' });
  const loadStart = performance.now();
  const { albums, artists } = generate(TRACKS);
  try {
    const mongo = loader.app.get(MongoConnection).connection;
    for (let i = 0; i < albums.length; i += 1000) {
      await mongo.collection('music_albums').insertMany(albums.slice(i, i + 1000) as never[]);
    }
    await mongo.collection('music_artists').insertMany(artists as never[]);
  } finally {
    await loader.close();
  }
  console.log(
    `wrote ${TRACKS} tracks (${albums.length} albums, ${artists.length} artists) in ${((performance.now() - loadStart) / 1000).toFixed(1)} s`,
  );
  const bootStart = performance.now();
  const server = await startInProcessApp({
    MONGODB_URI: db.uri,
    ROLE: 'all',
    TRANSCODE_CONCURRENCY: String(TRANSCODES),
  });
  try {
    // One real 60 s track (FLAC) in the store, for the transcodes.
    const store = server.app.get<MediaStore>(MEDIA_STORE);
    const path = join(tempDir('sv-bench-music-'), 'tone.flac');
    toneFile(path, { seconds: TRACK_SECONDS, frequency: 330 });
    const parts = await store.put(path, 'tone.flac', { key: 'bench-tone' });
    const size = parts.reduce((sum, part) => sum + part.size, 0);
    const file = await server.app.get(LibraryService).registerFile({
      storage: { kind: store.kind, parts },
      size,
      mime: 'audio/flac',
      fileName: 'tone.flac',
      duration: TRACK_SECONDS,
      streams: { video: [], audio: [], subtitles: [] },
      screenshots: [],
      episodes: [],
    });
    const tone = {
      ...albums[0].tracks[0],
      _id: trackId(String(file._id)),
      fileId: String(file._id),
      suffix: 'flac',
      bitRate: 900,
      size,
      duration: TRACK_SECONDS,
    };
    const { tracks: _tracks, createdAt: _created, updatedAt: _updated, ...albumFields } = albums[0];
    await server.app.get(MusicRepository).fileAlbum(albumFields, [tone]);

    const user = await server.app
      .get(UserService)
      .create({ username: 'bench', password: 'bench-password', role: 'viewer' });
    const { password } = await server.app.get(AppPasswordService).create(String(user.id), 'bench');
    const salt = 'benchsalt';
    const auth = `u=bench&t=${createHash('md5')
      .update(password + salt)
      .digest('hex')}&s=${salt}&v=1.16.1&c=bench&f=json`;
    const call = (method: string, args: string) => fetch(`${server.url}/rest/${method}?${auth}&${args}`);
    const timed = async (method: string, args: string) => {
      const start = performance.now();
      const res = await call(method, args);
      const body = (await res.json()) as { 'subsonic-response': { status: string } };
      if (body['subsonic-response'].status !== 'ok')
        throw new Error(`${method} failed: ${JSON.stringify(body)}`);
      return performance.now() - start;
    };
    await timed('getAlbumList2', 'type=newest');
    console.log(
      `manager boot to first answer (the catalog's full load from FerretDB): ${((performance.now() - bootStart) / 1000).toFixed(1)} s`,
    );
    // A second manager of the same install starts from the checkpoint the first one saved.
    const redis = server.app.get(RedisClient).client;
    while (!(await redis.exists('music:catalog-checkpoint')))
      await new Promise((resolve) => setTimeout(resolve, 200));
    const secondStart = performance.now();
    const second = await startInProcessApp({
      MONGODB_URI: db.uri,
      ROLE: 'manager',
      REDIS_PREFIX: server.config.redis.prefix,
    });
    try {
      const res = await fetch(`${second.url}/rest/getAlbumList2?${auth}&type=newest`);
      await res.arrayBuffer();
      console.log(
        `second manager boot to first answer (from the Redis checkpoint): ${((performance.now() - secondStart) / 1000).toFixed(1)} s`,
      );
    } finally {
      await second.close();
    }
    // The change just filed is applied in the background; wait until the tone is listed.
    for (let tries = 0; tries < 100; tries++) {
      const res = (await (await call('getSong', `id=${tone._id}`)).json()) as {
        'subsonic-response': { status: string };
      };
      if (res['subsonic-response'].status === 'ok') break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    const search: number[] = [];
    const searchAll: number[] = [];
    const lists: number[] = [];
    const types = [
      'alphabeticalByName',
      'newest',
      'random',
      'alphabeticalByArtist',
      'byGenre&genre=Jazz',
      'byYear&fromYear=1980&toYear=1990',
    ];
    for (let i = 0; i < QUERIES; i++) {
      const q = `${WORDS[i % WORDS.length]} ${WORDS[(i * 7) % WORDS.length].slice(0, 3)}`;
      search.push(await timed('search3', `query=${encodeURIComponent(q)}`));
      searchAll.push(
        await timed(
          'search3',
          `query=&songCount=500&songOffset=${(i * 500) % TRACKS}&artistCount=0&albumCount=0`,
        ),
      );
      lists.push(
        await timed('getAlbumList2', `type=${types[i % types.length]}&size=50&offset=${(i * 50) % 5000}`),
      );
    }
    const row = (name: string, values: number[]) =>
      console.log(
        `${name.padEnd(44)} p50 ${percentile(values, 50).toFixed(1).padStart(7)} ms   p95 ${percentile(values, 95).toFixed(1).padStart(7)} ms`,
      );
    console.log(`\nSubsonic over HTTP, ${TRACKS} tracks, ${QUERIES} requests each (target p95 <= 50 ms)`);
    row('search3 (two words)', search);
    row('search3 empty query, 500 songs a page', searchAll);
    row('getAlbumList2 (mixed types, 50 a page)', lists);

    // Raw `stream` against nginx serving the same file from disk (static), same load.
    const wavPath = join(tempDir('sv-bench-wav-'), 'tone.wav');
    toneFile(wavPath, { seconds: TRACK_SECONDS, frequency: 440 });
    const wavParts = await store.put(wavPath, 'tone.wav', { key: 'bench-wav' });
    const wavSize = wavParts.reduce((sum, part) => sum + part.size, 0);
    const wavFile = await server.app.get(LibraryService).registerFile({
      storage: { kind: store.kind, parts: wavParts },
      size: wavSize,
      mime: 'audio/wav',
      fileName: 'tone.wav',
      duration: TRACK_SECONDS,
      streams: { video: [], audio: [], subtitles: [] },
      screenshots: [],
      episodes: [],
    });
    const wav = {
      ...tone,
      _id: trackId(String(wavFile._id)),
      fileId: String(wavFile._id),
      suffix: 'wav',
      size: wavSize,
    };
    await server.app.get(MusicRepository).fileAlbum(albumFields, [wav]);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const nginx = await startStaticNginx(join(wavPath, '..'));
    try {
      const ours = await throughput(`${server.url}/rest/stream?${auth}&id=${wav._id}`);
      const peer = await throughput(`${nginx.url}/tone.wav`);
      console.log(
        `\nraw stream of a ${(wavSize / 1e6).toFixed(1)} MB track (wrk, ${RAW_CONCURRENCY} connections, ${RAW_SECONDS} s): ` +
          `ours ${ours.toFixed(0)} MB/s, nginx static ${peer.toFixed(0)} MB/s, ratio ${(ours / peer).toFixed(2)} (target >= 0.7)`,
      );
    } finally {
      await nginx.stop();
    }

    // Time to first byte of a transcode (cache miss: a different bit rate each time).
    const ttfb: number[] = [];
    for (const kbps of [128, 127, 126, 125, 124]) {
      const start = performance.now();
      const res = await call('stream', `id=${tone._id}&format=opus&maxBitRate=${kbps}`);
      const reader = res.body!.getReader();
      await reader.read();
      ttfb.push(performance.now() - start);
      await reader.cancel();
    }
    console.log(
      `\ntranscode opus 128k, time to first byte     p50 ${percentile(ttfb, 50).toFixed(0)} ms  (target <= 300 ms)`,
    );

    const started = performance.now();
    const runs = await Promise.all(
      Array.from({ length: TRANSCODES }, async (_, i) => {
        const start = performance.now();
        const res = await call('stream', `id=${tone._id}&format=opus&maxBitRate=${96 + i}`);
        const bytes = (await res.arrayBuffer()).byteLength;
        return { seconds: (performance.now() - start) / 1000, ok: res.status === 200 && bytes > 10_000 };
      }),
    );
    const slowest = Math.max(...runs.map((r) => r.seconds));
    console.log(
      `${TRANSCODES} concurrent transcodes of ${TRACK_SECONDS} s: ${runs.filter((r) => r.ok).length} ok, slowest ${slowest.toFixed(1)} s ` +
        `(${(TRACK_SECONDS / slowest).toFixed(1)}x real time; target >= 2x), all done in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  } finally {
    await server.close();
    await db.stop();
  }
}

void main();
