import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Aria2Engine } from '../../src/ingest/engines/aria2/aria2.engine.js';
import { type DownloadProgress, DownloadFailedError } from '../../src/ingest/engines/download-engine.js';
import { GuardedProxy } from '../../src/ingest/source-policy/guarded-proxy.js';
import { parseSourceUrl } from '../../src/ingest/source-policy/source-url.js';
import { SsrfGuard } from '../../src/ingest/source-policy/ssrf-guard.js';
import { startFixtureServer } from '../support/fixture-server.js';
import { randomFile, tempDir } from '../support/media.js';
import { freePort, makeTorrent, startSeeder, startTracker } from '../support/torrent.js';

const run = promisify(execFile);

/** aria2c processes whose command line names `marker` (each download has its own sandbox path). */
async function aria2Processes(marker: string): Promise<number> {
  try {
    const { stdout } = await run('pgrep', ['-f', `aria2c.*${marker}`]);
    return stdout.trim().split('\n').filter(Boolean).length;
  } catch {
    return 0; // pgrep exits 1 when nothing matches
  }
}

describe('aria2 engine (aria2c over JSON-RPC, through the guarded proxy)', () => {
  const payload = randomFile(3 * 1024 * 1024 + 123);
  const seedDir = tempDir('sv-seed-');
  let fixture: Awaited<ReturnType<typeof startFixtureServer>>;
  let slow: Awaited<ReturnType<typeof startFixtureServer>>;
  let torrentFile: Awaited<ReturnType<typeof startFixtureServer>>;
  let tracker: Awaited<ReturnType<typeof startTracker>>;
  let seeder: ReturnType<typeof startSeeder>;
  let infoHash: string;
  let proxy: GuardedProxy;
  let proxyUrl: Promise<string>;
  let engine: Aria2Engine;

  before(async () => {
    fixture = await startFixtureServer({ body: payload.bytes, honourRange: true });
    slow = await startFixtureServer({ body: payload.bytes, throttle: 64 * 1024 });
    const seederPort = await freePort();
    tracker = await startTracker(seederPort);
    const made = makeTorrent('Seeded.Movie.2019.1080p.mkv', payload.bytes, tracker.announce);
    infoHash = made.infoHash;
    writeFileSync(join(seedDir, 'Seeded.Movie.2019.1080p.mkv'), payload.bytes);
    const torrentPath = join(seedDir, 'seed.torrent');
    writeFileSync(torrentPath, made.torrent);
    seeder = startSeeder(torrentPath, seedDir, seederPort);
    torrentFile = await startFixtureServer({
      body: made.torrent,
      headers: { 'content-type': 'application/x-bittorrent' },
    });
    proxy = new GuardedProxy(
      new SsrfGuard([
        { host: '127.0.0.1', port: fixture.port },
        { host: '127.0.0.1', port: slow.port },
        { host: '127.0.0.1', port: torrentFile.port },
        { host: '127.0.0.1', port: tracker.port },
      ]),
    );
    proxyUrl = proxy.start();
    engine = new Aria2Engine(() => proxyUrl);
  });
  after(async () => {
    await seeder?.stop();
    await proxy?.stop();
    await Promise.all([fixture?.close(), slow?.close(), torrentFile?.close(), tracker?.close()]);
  });

  function download(url: string, progress: DownloadProgress[] = [], maxBytes = 100 * 1024 * 1024) {
    return engine.download({
      source: parseSourceUrl(url),
      dir: tempDir('sv-aria2-'),
      signal: new AbortController().signal,
      maxBytes,
      onProgress: (p) => progress.push(p),
    });
  }

  it('is chosen for magnets and .torrent links, not for plain http', () => {
    assert.equal(engine.accepts(parseSourceUrl(`magnet:?xt=urn:btih:${'a'.repeat(40)}`)), true);
    assert.equal(engine.accepts(parseSourceUrl('https://example.org/files/show.torrent')), true);
    assert.equal(engine.accepts(parseSourceUrl('https://example.org/files/show.mkv')), false);
  });

  it('downloads an http URL through the RPC path and reports progress up to the full size', async () => {
    const progress: DownloadProgress[] = [];
    const result = await download(fixture.url('/Plain.File.mkv'), progress);
    assert.ok(readFileSync(result.path).equals(payload.bytes));
    assert.equal(result.fileName, 'Plain.File.mkv');
    assert.equal(progress.at(-1)?.bytesDone, payload.bytes.length);
    assert.equal(progress.at(-1)?.bytesTotal, payload.bytes.length);
  });

  it('follows a .torrent link to the real download and gets the file from a local seeder', async () => {
    const result = await download(torrentFile.url('/seeded.torrent'));
    assert.equal(result.fileName, 'Seeded.Movie.2019.1080p.mkv');
    assert.ok(readFileSync(result.path).equals(payload.bytes));
    assert.ok(
      tracker.announces.some((url) => url.includes('info_hash')),
      'the tracker was asked (via proxy)',
    );
  });

  it('follows a magnet metadata download to the real download (metadata from the seeder)', async () => {
    const magnet = `magnet:?xt=urn:btih:${infoHash}&dn=seeded&tr=${encodeURIComponent(tracker.announce)}`;
    const progress: DownloadProgress[] = [];
    const result = await download(magnet, progress);
    assert.equal(result.fileName, 'Seeded.Movie.2019.1080p.mkv');
    assert.ok(readFileSync(result.path).equals(payload.bytes));
    assert.equal(progress.at(-1)?.bytesTotal, payload.bytes.length);
  });

  it('refuses, without retry, a download over the size limit', async () => {
    await assert.rejects(
      download(fixture.url('/Too.Big.mkv'), [], 1024 * 1024),
      (error: unknown) =>
        error instanceof DownloadFailedError && !error.retryable && /over the/.test(error.message),
    );
  });

  it('gives up, retryably, on a torrent that sends nothing (no seeder reachable)', async () => {
    const impatient = new Aria2Engine(() => proxyUrl, { stallTimeoutMs: 1500 });
    const unknown = `magnet:?xt=urn:btih:${'0'.repeat(40)}&tr=${encodeURIComponent(tracker.announce)}`;
    await assert.rejects(
      impatient.download({
        source: parseSourceUrl(unknown),
        dir: tempDir('sv-aria2-'),
        signal: new AbortController().signal,
        maxBytes: 1024 * 1024,
        onProgress: () => {},
      }),
      (error: unknown) =>
        error instanceof DownloadFailedError && error.retryable && /no data/.test(error.message),
    );
  });

  it('kills aria2c and its process group on cancel', async () => {
    const controller = new AbortController();
    const dir = tempDir('sv-aria2-cancel-');
    mkdirSync(dir, { recursive: true });
    const pending = engine.download({
      source: parseSourceUrl(slow.url('/slow.mkv')),
      dir,
      signal: controller.signal,
      maxBytes: 100 * 1024 * 1024,
      onProgress: () => {},
    });
    setTimeout(() => controller.abort(new Error('cancelled by the user')), 1500);
    await assert.rejects(pending, /cancelled by the user/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(await aria2Processes(dir), 0, 'no aria2c left running');
  });
});
