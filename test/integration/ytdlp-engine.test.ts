import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { type DownloadProgress } from '../../src/ingest/engines/download-engine.js';
import { YtDlpEngine } from '../../src/ingest/engines/ytdlp.engine.js';
import { GuardedProxy } from '../../src/ingest/source-policy/guarded-proxy.js';
import { parseSourceUrl } from '../../src/ingest/source-policy/source-url.js';
import { SsrfGuard } from '../../src/ingest/source-policy/ssrf-guard.js';
import { startFixtureServer } from '../support/fixture-server.js';
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
    fixture = await startFixtureServer({ body: video.bytes });
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
});
