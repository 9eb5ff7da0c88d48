import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MusicRepository } from '../../src/music/model/music.repository.js';
import { albumId, artistId, trackId } from '../../src/music/model/music-ids.js';
import { eventually } from '../support/eventually.js';
import { type InProcessApp, signInAdmin } from '../support/in-process-app.js';
import { storeFile } from '../support/library-fixtures.js';
import { ingestLink, type LinkServer } from '../support/link-server.js';
import { tempDir } from '../support/media.js';
import { type MusicBox, startMusicBox } from '../support/music-box.js';
import { coverPicture, toneFile } from '../support/music.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const SECONDS = 20;

/** The top-level boxes of an MP4 file, in order (what a reader from the start meets first). */
function topLevelBoxes(bytes: Buffer): string[] {
  const boxes: string[] = [];
  for (let offset = 0; offset + 8 <= bytes.length;) {
    const size = bytes.readUInt32BE(offset);
    boxes.push(bytes.toString('latin1', offset + 4, offset + 8));
    const length = size === 1 ? Number(bytes.readBigUInt64BE(offset + 8)) : size || bytes.length - offset;
    offset += length;
  }
  return boxes;
}

/** What ffprobe reads in some bytes: streams (codec, whether a cover picture), tags, duration. */
function ffprobe(bytes: Buffer) {
  const path = join(tempDir('sv-probe-'), 'probe.bin');
  writeFileSync(path, bytes);
  const out = JSON.parse(
    execFileSync('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', path], {
      encoding: 'utf8',
    }),
  ) as {
    format: { duration: string; tags?: Record<string, string> };
    streams: { codec_type: string; codec_name: string; disposition?: { attached_pic?: number } }[];
  };
  return {
    duration: Number(out.format.duration),
    tags: out.format.tags ?? {},
    audio: out.streams.filter((s) => s.codec_type === 'audio').map((s) => s.codec_name),
    covers: out.streams.filter((s) => s.disposition?.attached_pic === 1).length,
  };
}

/** An AAC tone in an M4A as ffmpeg writes it by default: the index (`moov`) after the audio. */
async function m4aWithIndexAtEnd(name: string, tags: Record<string, string>): Promise<string> {
  const dir = tempDir('sv-m4a-');
  const plain = join(dir, 'plain.m4a');
  toneFile(plain, { seconds: SECONDS, frequency: 500, tags });
  const cover = join(dir, 'cover.jpg');
  writeFileSync(cover, await coverPicture(300, 90));
  const path = join(dir, name);
  execFileSync('ffmpeg', [
    ...['-hide_banner', '-v', 'error', '-y', '-i', plain, '-i', cover],
    ...['-map', '0', '-map', '1', '-c', 'copy', '-disposition:v', 'attached_pic', path],
  ]);
  return path;
}

describe('M4A files whose index follows the audio: moved first at ingest, transcoded either way', () => {
  let box: MusicBox;
  let server: InProcessApp;
  let links: LinkServer;

  before(async () => {
    box = await startMusicBox('Feishin');
    ({ server, links } = box);
  });
  after(() => box?.stop());

  const call = (method: string, args: Record<string, string>) => fetch(box.subsonicUrl(method, args));
  const bytesOf = async (method: string, args: Record<string, string>) => {
    const res = await call(method, args);
    assert.equal(res.status, 200);
    assert.doesNotMatch(res.headers.get('content-type') ?? '', /xml|json/, `${method} sends bytes`);
    return Buffer.from(await res.arrayBuffer());
  };

  it('ingest stores the M4A with its index first, tags and cover kept, and a transcode plays it', async () => {
    const source = await m4aWithIndexAtEnd('01 - Undertow.m4a', {
      title: 'Undertow',
      artist: 'Tide Lines',
      album: 'Low Water',
    });
    const original = execFileSync('cat', [source]);
    assert.deepEqual(
      topLevelBoxes(original).filter((box) => box === 'moov' || box === 'mdat'),
      ['mdat', 'moov'],
      'the source has its index at the end',
    );
    const admin = await signInAdmin(server);
    const task = await ingestLink(admin, links.url('01 - Undertow.m4a', original));
    assert.equal(task.state, 'done', String(task.error));

    const found = (await (await call('search3', { query: 'undertow', f: 'json' })).json()) as Json;
    const song = found['subsonic-response'].searchResult3.song[0] as Json;
    assert.equal(song.title, 'Undertow');
    assert.equal(song.artist, 'Tide Lines');
    // What gapless players line tracks up with (README "Gapless"): exact format facts of the original.
    assert.equal(song.duration, SECONDS);
    assert.equal(song.samplingRate, 44100);
    assert.equal(typeof song.channelCount, 'number');
    assert.equal(song.suffix, 'm4a');
    assert.equal(song.contentType, 'audio/mp4');
    const stored = await bytesOf('download', { id: String(song.id) });
    assert.equal(song.size, stored.length, 'the size told is the size stored');
    assert.deepEqual(
      topLevelBoxes(stored).filter((box) => box === 'moov' || box === 'mdat'),
      ['moov', 'mdat'],
    );
    const probe = ffprobe(stored);
    assert.deepEqual(probe.audio, ['aac'], 'copied, not re-encoded');
    assert.equal(probe.tags.title, 'Undertow');
    assert.equal(probe.covers, 1, 'the embedded cover is kept');
    assert.ok(Math.abs(probe.duration - SECONDS) < 0.5);
    assert.ok(song.coverArt, 'the album has the embedded cover');

    const opus = ffprobe(await bytesOf('stream', { id: String(song.id), format: 'opus' }));
    assert.deepEqual(opus.audio, ['opus']);
    // Opus carries its encoder delay (pre-skip) and exact end: the transcode is as long as the song.
    assert.ok(Math.abs(opus.duration - SECONDS) < 0.05, `transcode lasts the song (${opus.duration} s)`);
  });

  it('an M4A stored earlier with its index at the end streams as stored and transcodes whole', async () => {
    const path = await m4aWithIndexAtEnd('legacy.m4a', { title: 'Old Pier' });
    const original = execFileSync('cat', [path]);
    const file = await storeFile(server.app, path, 'legacy.m4a', 'audio/mp4');
    const artist = 'Harbour Echo';
    const album = albumId(artist, 'Kept As Is');
    const fileId = String(file._id);
    await server.app.get(MusicRepository).fileAlbum(
      {
        _id: album,
        name: 'Kept As Is',
        artistId: artistId(artist),
        artist,
        genres: [],
        compilation: false,
      },
      [
        {
          _id: trackId(fileId),
          fileId,
          albumId: album,
          artistId: artistId(artist),
          albumArtistId: artistId(artist),
          title: 'Old Pier',
          artists: [artist],
          artist,
          album: 'Kept As Is',
          genres: [],
          duration: SECONDS,
          bitRate: 128,
          suffix: 'm4a',
          contentType: 'audio/mp4',
          compilation: false,
          musicBrainz: {},
          replayGain: {},
          size: file.size,
          path: 'Harbour Echo/Kept As Is/01.m4a',
          createdAt: new Date(),
        },
      ],
    );
    const id = trackId(fileId);
    assert.ok((await bytesOf('stream', { id })).equals(original), 'raw bytes as stored');
    const tail = await call('stream', { id });
    const ranged = await fetch(tail.url, { headers: { range: `bytes=${original.length - 100}-` } });
    assert.equal(ranged.status, 206, 'a player can fetch the index at the end by range');
    assert.ok(Buffer.from(await ranged.arrayBuffer()).equals(original.subarray(original.length - 100)));
    await tail.body?.cancel();

    for (const format of ['mp3', 'opus']) {
      const probe = ffprobe(await bytesOf('stream', { id, format }));
      assert.ok(
        Math.abs(probe.duration - SECONDS) < 1,
        `${format} transcode lasts the song, not an empty stream (${probe.duration} s)`,
      );
    }
    // The response ends before ffmpeg's copy is committed to the cache and the seekable copy removed.
    const cacheDir = join(server.config.dataDir, 'cache', 'music');
    await eventually(
      async () => readdirSync(cacheDir).filter((name) => name.endsWith('.partial')),
      (partials) => partials.length === 0,
      { what: 'the seekable copy removed after the transcode' },
    );
  });
});
