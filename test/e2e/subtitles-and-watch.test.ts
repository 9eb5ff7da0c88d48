import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MEDIA_STORE, type MediaStore } from '../../src/core/storage/media-store.js';
import { formatBytes } from '../../src/core/util/format-units.js';
import { LibraryService } from '../../src/library/library.service.js';
import { MediaFileRepository } from '../../src/library/media-file.repository.js';
import { type MediaFile } from '../../src/library/schemas/media-file.schema.js';
import { StreamService } from '../../src/stream/stream.service.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { startInProcessApp, type InProcessApp } from '../support/in-process-app.js';
import { storeFile } from '../support/library-fixtures.js';
import { stillJpeg, tempDir } from '../support/media.js';

const SRT = `1
00:00:00,500 --> 00:00:01,500
Hello from SRT

2
00:00:02,000 --> 00:00:03,250
Second line
`;

const ASS = `[Script Info]
ScriptType: v4.00+

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
Style: Default,Arial,20,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,1

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
Dialogue: 0,0:00:01.00,0:00:02.50,Default,,0,0,0,,Hello from ASS
`;

/** An MKV made by ffmpeg: test video, an SRT track (English) and an ASS track (Japanese). */
function mkvWithSubtitles(): string {
  const dir = tempDir('sv-subs-');
  writeFileSync(join(dir, 'en.srt'), SRT);
  writeFileSync(join(dir, 'ja.ass'), ASS);
  const out = join(dir, 'with subs.mkv');
  execFileSync('ffmpeg', [
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=160x120:rate=10:duration=4',
    '-i',
    join(dir, 'en.srt'),
    '-i',
    join(dir, 'ja.ass'),
    '-map',
    '0:v',
    '-map',
    '1:s',
    '-map',
    '2:s',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-c:s:0',
    'srt',
    '-c:s:1',
    'ass',
    '-metadata:s:s:0',
    'language=eng',
    '-metadata:s:s:1',
    'language=jpn',
    out,
  ]);
  return out;
}

describe('subtitles and the watch page', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let file: MediaFile;
  const local = (url: string) => url.replace(server.config.http.publicUrl, server.url);

  before(async () => {
    db = await startTestDatabase();
    server = await startInProcessApp({ MONGODB_URI: db.uri, ROLE: 'streamer' });
    const stored = await storeFile(
      server.app,
      mkvWithSubtitles(),
      '<script>alert(1)</script> movie.mkv',
      'video/x-matroska',
    );
    const files = server.app.get(MediaFileRepository);
    // What ingest's probe records (issue 6); written directly here.
    await files.setProbe(stored._id, {
      duration: 4,
      streams: {
        video: [{ index: 0, codec: 'h264', width: 160, height: 120 }],
        audio: [],
        subtitles: [
          { index: 1, codec: 'subrip', language: 'eng' },
          { index: 2, codec: 'ass', language: 'jpn', title: 'Japanese <signs>' },
          { index: 3, codec: 'hdmv_pgs_subtitle', language: 'fre', bitmap: true },
        ],
      },
    });
    const still = stillJpeg();
    const [part] = await server.app.get<MediaStore>(MEDIA_STORE).put(still, 'still.jpg');
    await files.setArtifacts(stored._id, { screenshots: [part, part, part], sample: undefined });
    file = (await files.findById(stored._id))!;
  });
  after(async () => {
    await server?.close();
    await db?.stop();
  });

  const vtt = async (track: number) => {
    const link = server.app.get(StreamService).signPath(['subtitles', String(file._id), `${track}.vtt`]);
    return fetch(local(link.url));
  };

  it('answers HEAD of a track with its headers and no extraction (no length before it is made)', async () => {
    const head = (track: number) => {
      const link = server.app.get(StreamService).signPath(['subtitles', String(file._id), `${track}.vtt`]);
      return fetch(local(link.url), { method: 'HEAD' });
    };
    const res = await head(0);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/vtt/);
    assert.equal(res.headers.get('content-length'), null, 'unknown until the WebVTT is made');
    const record = await server.app.get(MediaFileRepository).findById(file._id);
    assert.equal(record?.streams.subtitles[0].vtt, undefined, 'ffmpeg did not run');
    assert.equal((await head(2)).status, 415, "the GET's errors");
    assert.equal((await head(9)).status, 404);

    const made = Buffer.from(await (await vtt(0)).arrayBuffer());
    const known = await head(0);
    assert.equal(known.headers.get('content-length'), String(made.length), 'once made, its length');
  });

  it('converts an SRT track to WebVTT with the right timings', async () => {
    const res = await vtt(0);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/vtt/);
    const text = await res.text();
    assert.match(text, /^WEBVTT/);
    assert.match(text, /(00:)?00:00\.500 --> (00:)?00:01\.500\nHello from SRT/);
    assert.match(text, /(00:)?00:02\.000 --> (00:)?00:03\.250\nSecond line/);
  });

  it('converts an ASS track to WebVTT with the right timings', async () => {
    const text = await (await vtt(1)).text();
    assert.match(text, /^WEBVTT/);
    assert.match(text, /(00:)?00:01\.000 --> (00:)?00:02\.500\nHello from ASS/);
  });

  it('keeps the converted track in the store and serves it from there next time', async () => {
    const again = await server.app.get(MediaFileRepository).findById(file._id);
    assert.ok(again?.streams.subtitles[0].vtt?.ref, 'the WebVTT is stored');
    assert.match(await (await vtt(0)).text(), /Hello from SRT/);
  });

  it('answers 415 for an image-based track, 404 for a missing one, 403 without a signature', async () => {
    const bitmap = await vtt(2);
    assert.equal(bitmap.status, 415);
    assert.equal(((await bitmap.json()) as { error: string }).error, 'unsupported_media_type');
    assert.equal((await vtt(9)).status, 404);
    assert.equal((await fetch(`${server.url}/subtitles/${String(file._id)}/0.vtt`)).status, 403);
  });

  it('renders a player page with the signed stream and one track per text subtitle, all escaped', async () => {
    const page = server.app.get(StreamService).signPath(['watch', String(file._id)]);
    const res = await fetch(local(page.url));
    assert.equal(res.status, 200);
    const html = await res.text();
    // Attribute values are entity-escaped by Handlebars (`=` → &#x3D;); a browser reads them decoded.
    const attributes = html.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
    assert.match(html, /<video controls autofocus/);
    const size = formatBytes(file.size);
    assert.match(
      html,
      new RegExp(`<p class="meta">${size.replace('.', '\\.')} · 0:04 · `),
      'size and duration',
    );
    // Escaped for the URL; the "/" inside the name is "_" in the link (it would sign another path).
    assert.match(
      attributes,
      /<source src="http:\/\/[^"]+\/stream\/[0-9a-f]{24}\/%3Cscript%3Ealert\(1\)%3C_script%3E%20movie\.mkv\?md5=/,
    );
    assert.equal((html.match(/<track kind="subtitles"/g) ?? []).length, 2);
    assert.match(html, /srclang="jpn" label="Japanese &lt;signs&gt;"/);
    assert.doesNotMatch(html, /<script>alert/);
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt; movie\.mkv/);
    assert.doesNotMatch(html, /https?:\/\/(?!127\.0\.0\.1|localhost)[a-z]/i, 'no external assets');

    const poster = /poster="([^"]+)"/.exec(attributes)?.[1];
    assert.ok(poster, 'a poster from the middle screenshot');
    assert.match(poster, /\/media\/[0-9a-f]{24}\/screenshots\/1\?md5=/);
    const image = await fetch(local(poster));
    assert.equal(image.status, 200);
    assert.equal(image.headers.get('content-type'), 'image/jpeg');
    assert.equal(
      Buffer.from(await image.arrayBuffer())
        .subarray(0, 2)
        .toString('hex'),
      'ffd8',
    );
  });

  it('gives a still validators of its own: stills made again, of the same size, are not 304 Not Modified', async () => {
    const link = local(
      server.app.get(StreamService).signPath(['media', String(file._id), 'screenshots', '0']).url,
    );
    const first = await fetch(link);
    assert.equal(first.status, 200);
    const old = Buffer.from(await first.arrayBuffer());
    const etag = first.headers.get('etag')!;
    const redone = Buffer.from(old);
    redone[redone.length - 3] ^= 0xff;
    const path = join(tempDir('sv-still-again-'), 'still.jpg');
    writeFileSync(path, redone);
    const [part] = await server.app.get<MediaStore>(MEDIA_STORE).put(path, 'still.jpg');
    assert.equal(part.size, old.length, 'the same size');
    await server.app.get(LibraryService).setFileArtifacts(file._id, { screenshots: [part, part, part] });

    const again = await fetch(link, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 200, 'the new still, not 304');
    assert.notEqual(again.headers.get('etag'), etag);
    assert.ok(Buffer.from(await again.arrayBuffer()).equals(redone));
    const unchanged = await fetch(link, { headers: { 'if-none-match': again.headers.get('etag')! } });
    assert.equal(unchanged.status, 304);
    // The file's date would call any still unmodified: a still has none of its own.
    assert.equal(again.headers.get('last-modified'), null);
  });

  it('refuses unsigned stills and answers 404 for one that does not exist', async () => {
    assert.equal((await fetch(`${server.url}/media/${String(file._id)}/screenshots/0`)).status, 403);
    const missing = server.app.get(StreamService).signPath(['media', String(file._id), 'screenshots', '7']);
    assert.equal((await fetch(local(missing.url))).status, 404);
  });
});
