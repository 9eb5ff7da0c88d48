import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { type DownloadProgress, TooManyItemsError } from '../../src/ingest/engines/download-engine.js';
import { YtDlpEngine } from '../../src/ingest/engines/ytdlp.engine.js';
import { GuardedProxy } from '../../src/ingest/source-policy/guarded-proxy.js';
import { parseSourceUrl } from '../../src/ingest/source-policy/source-url.js';
import { SsrfGuard } from '../../src/ingest/source-policy/ssrf-guard.js';
import { playlistPage, startFixtureServer } from '../support/fixture-server.js';
import { tempDir, testVideo } from '../support/media.js';

const run = promisify(execFile);

/** yt-dlp processes whose command line names `marker` (ours carry the fixture's port). */
async function ytdlpProcesses(marker: string): Promise<number> {
  try {
    const { stdout } = await run('pgrep', ['-f', `yt-dlp.*${marker}`]);
    return stdout.trim().split('\n').filter(Boolean).length;
  } catch {
    return 0; // pgrep exits 1 when nothing matches
  }
}

describe('yt-dlp engine (through the guarded proxy)', () => {
  const video = testVideo(2);
  let fixture: Awaited<ReturnType<typeof startFixtureServer>>;
  let slow: Awaited<ReturnType<typeof startFixtureServer>>;
  let proxy: GuardedProxy;
  let engine: YtDlpEngine;

  before(async () => {
    fixture = await startFixtureServer({
      body: video.bytes,
      pages: { '/list.html': playlistPage('Holiday Clips', ['/a.mp4', '/b.mp4', '/c.mp4']) },
    });
    slow = await startFixtureServer({ body: video.bytes, throttle: 8 * 1024 });
    proxy = new GuardedProxy(
      new SsrfGuard([
        { host: '127.0.0.1', port: fixture.port },
        { host: '127.0.0.1', port: slow.port },
      ]),
    );
    const proxyUrl = proxy.start();
    engine = new YtDlpEngine(() => proxyUrl, 'yt-dlp');
  });
  after(async () => {
    await proxy?.stop();
    await fixture?.close();
    await slow?.close();
  });

  it('downloads a direct media URL with its generic extractor and reports progress', async () => {
    const progress: DownloadProgress[] = [];
    const result = await engine.download({
      source: parseSourceUrl(fixture.url('/Clip.Name.mp4')),
      dir: tempDir('sv-ytdlp-'),
      signal: new AbortController().signal,
      maxBytes: 100 * 1024 * 1024,
      onProgress: (p) => progress.push(p),
    });
    assert.ok(readFileSync(result.path).equals(video.bytes));
    assert.match(result.fileName, /\.mp4$/);
    assert.equal(progress.at(-1)?.bytesDone, video.bytes.length);
    assert.ok(fixture.requests.length >= 1, 'the fixture was reached (through the proxy)');
  });

  it('kills yt-dlp and its process group on cancel', async () => {
    const controller = new AbortController();
    const download = engine.download({
      source: parseSourceUrl(slow.url('/slow.mp4')),
      dir: tempDir('sv-ytdlp-'),
      signal: controller.signal,
      maxBytes: 100 * 1024 * 1024,
      onProgress: () => {},
    });
    setTimeout(() => controller.abort(new Error('cancelled by the user')), 1500);
    await assert.rejects(download, /cancelled by the user/);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(await ytdlpProcesses(String(slow.port)), 0, 'no yt-dlp left running');
  });

  it('downloads every entry of a playlist into one folder, its progress summed over entries', async () => {
    const progress: DownloadProgress[] = [];
    const result = await engine.download({
      source: parseSourceUrl(fixture.url('/list.html')),
      dir: tempDir('sv-ytdlp-'),
      signal: new AbortController().signal,
      maxBytes: 100 * 1024 * 1024,
      maxItems: 3,
      onProgress: (p) => progress.push(p),
    });
    assert.equal(result.fileName, 'Holiday Clips');
    const files = readdirSync(result.path).sort();
    assert.equal(files.length, 3);
    assert.match(files[0], /^001 .*\.mp4$/);
    for (const file of files) assert.ok(readFileSync(join(result.path, file)).equals(video.bytes));
    assert.equal(result.size, 3 * video.bytes.length);
    assert.equal(progress.at(-1)?.bytesDone, 3 * video.bytes.length);
  });

  it('refuses a playlist longer than the item limit before downloading any entry', async () => {
    const before = fixture.requests.length;
    await assert.rejects(
      engine.download({
        source: parseSourceUrl(fixture.url('/list.html')),
        dir: tempDir('sv-ytdlp-'),
        signal: new AbortController().signal,
        maxBytes: 100 * 1024 * 1024,
        maxItems: 2,
        onProgress: () => {},
      }),
      (error: unknown) =>
        error instanceof TooManyItemsError &&
        /holds 3 files, over the limit of 2 per task/.test(error.message) &&
        !error.retryable,
    );
    const asked = fixture.requests.slice(before).map((request) => request.url);
    assert.deepEqual(asked, ['/list.html'], 'only the page was read');
  });
});
