import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { type InProcessApp, signInAdmin } from '../support/in-process-app.js';
import { ingestLink, type LinkServer } from '../support/link-server.js';
import { tempDir } from '../support/media.js';
import { type MusicBox, startMusicBox } from '../support/music-box.js';
import { toneFile } from '../support/music.js';
import { makeZip } from '../support/zip.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('Music bad input: oversized embedded pictures, unknown and missing Subsonic parameters', () => {
  let box: MusicBox;
  let server: InProcessApp;
  let links: LinkServer;

  before(async () => {
    box = await startMusicBox('DSub');
    ({ server, links } = box);
  });
  after(() => box?.stop());

  const call = async (method: string, args: Record<string, string> = {}) => {
    const res = await fetch(box.subsonicUrl(method, { f: 'json', ...args }));
    assert.equal(res.status, 200, 'Subsonic answers 200, errors included');
    return ((await res.json()) as Json)['subsonic-response'] as Json;
  };

  it('files a track whose embedded picture is a 120 Mpx bomb, without the picture', async () => {
    const dir = tempDir('sv-bomb-');
    // A flat colour compresses to little, but decodes to 120 million pixels: over the 100 Mpx cap.
    const bomb = join(dir, 'bomb.jpg');
    await sharp({ create: { width: 12_000, height: 10_000, channels: 3, background: { r: 1, g: 2, b: 3 } } })
      .jpeg({ quality: 50 })
      .toFile(bomb);
    const plain = join(dir, 'plain.mp3');
    toneFile(plain, {
      seconds: 2,
      frequency: 610,
      tags: { title: 'Heavy Frame', artist: 'Glass Harbour', album: 'Weights' },
    });
    const track = join(dir, '01 - Heavy Frame.mp3');
    execFileSync('ffmpeg', [
      ...['-hide_banner', '-v', 'error', '-y', '-i', plain, '-i', bomb],
      ...[
        '-map',
        '0',
        '-map',
        '1',
        '-c',
        'copy',
        '-id3v2_version',
        '3',
        '-disposition:v',
        'attached_pic',
        track,
      ],
    ]);
    const bytes = readFileSync(track);
    assert.ok(bytes.length < 40 * 1024 * 1024, 'small in bytes: only the pixel cap can stop it');
    const admin = await signInAdmin(server);
    const task = await ingestLink(
      admin,
      links.url(
        'weights.zip',
        makeZip([{ name: 'Glass Harbour - Weights/01 - Heavy Frame.mp3', content: bytes }]),
      ),
    );
    assert.equal(task.state, 'done', String(task.error));
    const found = await call('search3', { query: 'heavy frame' });
    const song = found.searchResult3.song[0] as Json;
    assert.equal(song.title, 'Heavy Frame');
    assert.equal(song.album, 'Weights');
    assert.equal(song.coverArt, undefined, 'the picture was ignored, not resized');
    const album = await call('getAlbum', { id: String(song.albumId) });
    assert.equal(album.status, 'ok');
    assert.equal(album.album.coverArt, undefined);
  });

  it('files a 10-hour WAV like a song (the decode check reads 30 s of it) and streams its end by range', async () => {
    const dir = tempDir('sv-long-wav-');
    after(() => rmSync(dir, { recursive: true, force: true })); // 288 MB
    const path = join(dir, 'Night Watch.wav');
    // 8 kHz mono 8-bit: 10 hours in 288 MB.
    execFileSync('ffmpeg', [
      ...['-hide_banner', '-v', 'error', '-y', '-f', 'lavfi', '-i', 'anullsrc=r=8000:cl=mono'],
      ...[
        '-t',
        '36000',
        '-c:a',
        'pcm_u8',
        '-metadata',
        'title=Night Watch',
        '-metadata',
        'artist=Lighthouse',
        path,
      ],
    ]);
    // Read without blocking: the app shares this event loop, and a loop held for the read let an idle
    // keep-alive connection time out just as the next request reused it (ECONNRESET).
    const bytes = await readFile(path);
    const admin = await signInAdmin(server);
    const task = await ingestLink(admin, links.url('Night Watch.wav', bytes), { timeoutMs: 180_000 });
    assert.equal(task.state, 'done', String(task.error));
    const song = (await call('search3', { query: 'night watch' })).searchResult3.song[0] as Json;
    assert.equal(song.duration, 36000);
    assert.equal(song.size, bytes.length);
    const tail = await fetch(box.subsonicUrl('stream', { id: String(song.id) }), {
      headers: { range: 'bytes=-4096' },
    });
    assert.equal(tail.status, 206);
    assert.ok(Buffer.from(await tail.arrayBuffer()).equals(bytes.subarray(bytes.length - 4096)));
  });

  it('ignores parameters it does not know, and answers a missing required one with error 10', async () => {
    const listed = await call('getAlbumList2', {
      type: 'newest',
      foo: 'bar',
      _: '1700000000',
      'x-client-build': '77',
    });
    assert.equal(listed.status, 'ok');
    assert.ok(Array.isArray(listed.albumList2.album));
    const pinged = await call('ping', { somethingElse: '1' });
    assert.equal(pinged.status, 'ok');
    for (const method of ['getSong', 'getAlbum', 'stream']) {
      const missing = await call(method);
      assert.equal(missing.status, 'failed', method);
      assert.equal(missing.error.code, 10, `${method} without id`);
    }
  });
});
