import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DirectHttpEngine } from '../../src/ingest/engines/direct-http.engine.js';
import { type DownloadProgress } from '../../src/ingest/engines/download-engine.js';
import { parseSourceUrl } from '../../src/ingest/source-policy/source-url.js';
import { SsrfGuard } from '../../src/ingest/source-policy/ssrf-guard.js';
import { startFixtureServer, type FixtureServerOptions } from '../support/fixture-server.js';
import { tempDir } from '../support/media.js';

const BODY = randomBytes(3 * 1024 * 1024 + 333);
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function download(
  options: Partial<FixtureServerOptions>,
  extra: { maxBytes?: number; path?: string; signal?: AbortSignal; dir?: string } = {},
) {
  const server = await startFixtureServer({ body: BODY, ...options });
  const engine = new DirectHttpEngine(new SsrfGuard([{ host: '127.0.0.1', port: server.port }]), {
    retryDelayMs: 10,
  });
  const dir = extra.dir ?? tempDir('sv-direct-');
  const progress: DownloadProgress[] = [];
  try {
    const result = await engine.download({
      source: parseSourceUrl(server.url(extra.path)),
      dir,
      signal: extra.signal ?? new AbortController().signal,
      maxBytes: extra.maxBytes ?? 100 * 1024 * 1024,
      onProgress: (p) => progress.push(p),
    });
    return { result, progress, requests: server.requests, dir };
  } finally {
    await server.close();
  }
}

/**
 * A file whose bytes and ETag a test can change between attempts, served as real servers do: `Range`,
 * `If-Range` (a stale validator gets the whole new file, 200), and 416 for a range past the end.
 * `cutAfter` makes the next full response stop after that many bytes.
 */
async function startChangingFile(initial: { body: Buffer; etag: string }) {
  const file = { ...initial, cutAfter: undefined as number | undefined };
  const requests: { range?: string; ifRange?: string; status: number }[] = [];
  const server = createServer((req, res) => {
    const size = file.body.length;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const ifRange = req.headers['if-range'] as string | undefined;
    const partial = range && (ifRange === undefined || ifRange === file.etag);
    const start = partial ? Number(range[1]) : 0;
    const headers = { 'content-type': 'video/mp4', etag: file.etag };
    if (partial && start >= size) {
      requests.push({ range: req.headers.range, ifRange, status: 416 });
      res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
      return;
    }
    const status = partial ? 206 : 200;
    requests.push({ range: req.headers.range, ifRange, status });
    res.writeHead(status, {
      ...headers,
      'content-length': String(size - start),
      ...(partial ? { 'content-range': `bytes ${start}-${size - 1}/${size}` } : {}),
    });
    if (file.cutAfter !== undefined && start === 0) {
      const cut = file.cutAfter;
      file.cutAfter = undefined;
      res.write(file.body.subarray(0, cut), () => setTimeout(() => res.socket?.end(), 20));
      return;
    }
    res.end(file.body.subarray(start));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  /** One job attempt: an engine of its own (nothing carried over in memory), a single try. */
  const attempt = (dir: string) =>
    new DirectHttpEngine(new SsrfGuard([{ host: '127.0.0.1', port }]), { attempts: 1 }).download({
      source: parseSourceUrl(`http://127.0.0.1:${port}/Film.mkv`),
      dir,
      signal: new AbortController().signal,
      maxBytes: 100 * 1024 * 1024,
      onProgress: () => undefined,
    });
  return {
    file,
    requests,
    attempt,
    close: () =>
      new Promise<void>((resolve) => server.close(() => resolve())).then(() => server.closeAllConnections()),
  };
}

describe('direct HTTP download engine', () => {
  it('downloads a file with its Content-Disposition name and reports progress up to the total', async () => {
    const { result, progress } = await download({
      headers: {
        'content-disposition': `attachment; filename="ete.mkv"; filename*=UTF-8''%C3%A9t%C3%A9%20%282020%29.mkv`,
      },
    });
    assert.equal(result.fileName, 'été (2020).mkv');
    assert.equal(result.size, BODY.length);
    assert.equal(sha(readFileSync(result.path)), sha(BODY));
    assert.equal(result.sha256, sha(BODY), 'hashed on the way in');
    assert.deepEqual(progress.at(-1), { bytesDone: BODY.length, bytesTotal: BODY.length });
    assert.ok(progress.every((p, i) => i === 0 || p.bytesDone >= progress[i - 1].bytesDone));
  });

  it('resumes with Range (and If-Range) after the server drops the connection at 50%', async () => {
    const { result, requests } = await download({ dropFirstResponseAfter: Math.floor(BODY.length / 2) });
    assert.equal(sha(readFileSync(result.path)), sha(BODY));
    assert.equal(result.sha256, sha(BODY), 'the hash covers the resumed file exactly');
    assert.equal(requests.length, 2);
    assert.equal(requests[0].range, undefined);
    assert.match(requests[1].range ?? '', /^bytes=\d+-$/);
    // It resumes from what reached the disk before the cut (not from 0, and not past the cut).
    const resumedAt = Number(/\d+/.exec(requests[1].range!)![0]);
    assert.ok(resumedAt > 0 && resumedAt <= Math.floor(BODY.length / 2), `resumed from ${resumedAt}`);
    assert.equal(requests[1].ifRange, '"fixture-v1"');
  });

  it('a later attempt resumes with If-Range, and starts over when the file changed meanwhile', async () => {
    const server = await startChangingFile({ body: BODY, etag: '"v1"' });
    const dir = tempDir('sv-direct-');
    try {
      server.file.cutAfter = 1_000_000;
      await assert.rejects(server.attempt(dir), /gave up after 1 attempts/);
      const changed = randomBytes(BODY.length);
      Object.assign(server.file, { body: changed, etag: '"v2"' });

      const result = await server.attempt(dir);
      assert.equal(server.requests[1].ifRange, '"v1"', 'the resume names the version it has');
      assert.match(server.requests[1].range ?? '', /^bytes=\d+-$/);
      assert.equal(server.requests[1].status, 200, 'the server sends the new file whole');
      assert.equal(sha(readFileSync(result.path)), sha(changed), 'the new file, not old bytes + new bytes');
      assert.equal(result.sha256, sha(changed));
      assert.deepEqual(readdirSync(dir), ['Film.mkv']);
    } finally {
      await server.close();
    }
  });

  it('a later attempt finding the part file complete (stopped before the rename) finishes it', async () => {
    const server = await startChangingFile({ body: BODY, etag: '"v1"' });
    const dir = tempDir('sv-direct-');
    try {
      // The first attempt fetches every byte, then cannot rename (as a worker dying there would leave it).
      mkdirSync(join(dir, 'Film.mkv', 'in-the-way'), { recursive: true });
      await assert.rejects(server.attempt(dir), /could not be saved/);
      rmSync(join(dir, 'Film.mkv'), { recursive: true });

      const result = await server.attempt(dir);
      assert.equal(server.requests.at(-1)?.status, 416, 'nothing left to fetch');
      assert.equal(result.fileName, 'Film.mkv');
      assert.equal(result.size, BODY.length);
      assert.equal(sha(readFileSync(result.path)), sha(BODY));
      assert.deepEqual(readdirSync(dir), ['Film.mkv']);
    } finally {
      await server.close();
    }
  });

  it('starts over when the server ignores Range', async () => {
    const { result, requests } = await download({ dropFirstResponseAfter: 1_000_000, honourRange: false });
    assert.equal(sha(readFileSync(result.path)), sha(BODY));
    assert.equal(result.sha256, sha(BODY));
    assert.equal(requests.length, 2);
  });

  it('takes the name from the URL when there is no Content-Disposition, and never a path', async () => {
    const named = await download({}, { path: '/some/dir/My%20Movie.mp4' });
    assert.equal(named.result.fileName, 'My Movie.mp4');
    const traversal = await download({
      headers: { 'content-disposition': 'attachment; filename="../../etc/passwd"' },
    });
    assert.equal(traversal.result.fileName, 'passwd');
    assert.deepEqual(readdirSync(traversal.dir), ['passwd']);
  });

  it('shortens a long non-ASCII name to the 255 bytes a file name may take, keeping its extension', async () => {
    // 100 Japanese characters are 300 bytes: cut by characters (200) they still were too long to write.
    const long = `${'映'.repeat(100)}.mkv`;
    const { result, dir } = await download({
      headers: { 'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(long)}` },
    });
    assert.ok(Buffer.byteLength(result.fileName) <= 255, `${Buffer.byteLength(result.fileName)} bytes`);
    assert.match(result.fileName, /^映+\.mkv$/);
    assert.equal(result.fileName.length, 83 + 4, 'as many whole characters as fit (83 × 3 bytes + .mkv)');
    assert.deepEqual(readdirSync(dir), [result.fileName]);
    assert.equal(sha(readFileSync(result.path)), sha(BODY));
  });

  it('fails for good, naming the file, when the finished download cannot take its name', async () => {
    const dir = tempDir('sv-direct-');
    mkdirSync(join(dir, 'clip.mp4', 'taken'), { recursive: true });
    await assert.rejects(
      download({}, { path: '/clip.mp4', dir }),
      (error: Error & { retryable?: boolean }) => {
        assert.match(error.message, /could not be saved as "clip\.mp4"/);
        assert.equal(error.retryable, false, 'a retry would only ask the server for bytes past the end');
        return true;
      },
    );
  });

  it('refuses a file over the size limit from its Content-Length, before downloading it', async () => {
    await assert.rejects(
      download({}, { maxBytes: 1024 * 1024 }),
      (error: Error & { retryable?: boolean }) => {
        assert.match(error.message, /over the 1\.0 MiB limit/);
        assert.equal(error.retryable, false);
        return true;
      },
    );
  });

  it('stops a download without Content-Length as soon as it passes the limit', async () => {
    await assert.rejects(download({ chunked: true }, { maxBytes: 1024 * 1024 }), /passed the 1\.0 MiB limit/);
  });

  it('reports an HTTP error status', async () => {
    await assert.rejects(download({}, { path: '/missing' }), /the server answered 404/);
  });

  it('stops promptly when cancelled', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancelled by the user')), 200);
    await assert.rejects(
      download({ throttle: 256 * 1024 }, { signal: controller.signal }),
      /cancelled by the user/,
    );
  });
});
