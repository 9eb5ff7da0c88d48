import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DownloadFailedError } from '../../src/ingest/engines/download-engine.js';
import { YtDlpEngine } from '../../src/ingest/engines/ytdlp.engine.js';
import { parseSourceUrl } from '../../src/ingest/source-policy/source-url.js';
import { signInFirstAdmin, startApp } from '../support/app-process.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { startFixtureServer, videoPage } from '../support/fixture-server.js';
import { tempDir, testVideo } from '../support/media.js';

const ADMIN_PASSWORD = 'ytdlp-path-admin-password';

/**
 * An operator's yt-dlp dropped into a folder of its own: it answers `--version` with a version no
 * real release has, notes every other call in `calls.log` beside it, and hands that call to the real
 * yt-dlp, so what it downloads is real.
 */
function operatorsYtDlp(): { path: string; calls: () => string } {
  const dir = tempDir('sv-ytdlp-bin-');
  const path = join(dir, 'yt-dlp');
  const log = join(dir, 'calls.log');
  writeFileSync(
    path,
    [
      '#!/bin/sh',
      'if [ "$1" = "--version" ]; then echo 2099.12.31; exit 0; fi',
      `printf '%s\\n' "$*" >> '${log}'`,
      'exec yt-dlp "$@"',
      '',
    ].join('\n'),
  );
  chmodSync(path, 0o755);
  return { path, calls: () => (existsSync(log) ? readFileSync(log, 'utf8') : '') };
}

/** The app's JSON log lines whose message matches `pattern`. */
function logLines(stdout: string, pattern: RegExp): { level: number; msg: string }[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: number; msg: string })
    .filter((line) => pattern.test(String(line.msg)));
}

describe('YTDLP_PATH: the yt-dlp a worker runs', () => {
  let db: TestDatabase;
  let fixture: Awaited<ReturnType<typeof startFixtureServer>>;
  const video = testVideo(2);

  before(async () => {
    db = await startTestDatabase();
    fixture = await startFixtureServer({
      body: video.bytes,
      pages: { '/show/page.html': videoPage('Operator Clip', '/media/clip.mp4') },
    });
  });
  after(async () => {
    await fixture?.close();
    await db?.stop();
  });

  it('logs the version of the configured yt-dlp at boot and downloads web pages with it', async () => {
    const ytdlp = operatorsYtDlp();
    const app = await startApp({
      ROLE: 'all',
      MONGODB_URI: db.uri,
      ADMIN_PASSWORD,
      YTDLP_PATH: ytdlp.path,
      INGEST_ALLOW_HOSTS: `127.0.0.1:${fixture.port}`,
    });
    try {
      const [line] = await eventually(
        async () => logLines(app.stdout(), /^yt-dlp /),
        (lines) => lines.length > 0,
        { timeoutMs: 30000, what: 'the yt-dlp version line' },
      );
      assert.equal(line.msg, `yt-dlp 2099.12.31 (${ytdlp.path})`);
      assert.equal(line.level, 30, 'info');

      const admin = await signInFirstAdmin(app.url, ADMIN_PASSWORD);
      const url = fixture.url('/show/page.html');
      const submitted = await admin.post('/api/ingest', { url, hint: 'Operator Clip 2021' });
      assert.equal(submitted.status, 202, JSON.stringify(submitted.body));
      const task = await eventually(
        async () => (await admin.get(`/api/ingest/${String(submitted.body.taskId)}`)).body,
        (t) => t.state === 'done' || t.state === 'failed',
        { timeoutMs: 60000, intervalMs: 200, what: 'the task to end' },
      );
      assert.equal(task.state, 'done', String(task.error));
      assert.equal(task.engine, 'ytdlp');
      assert.ok(ytdlp.calls().trimEnd().endsWith(`-- ${url}`), `run through YTDLP_PATH: ${ytdlp.calls()}`);
      assert.ok(
        fixture.requests.some((r) => r.url === '/media/clip.mp4'),
        'the embedded video was fetched',
      );
    } finally {
      await app.stop();
    }
  });

  it('a worker whose yt-dlp is missing boots, with one warning line that says where it looked', async () => {
    const missing = join(tempDir('sv-ytdlp-none-'), 'yt-dlp');
    const app = await startApp({ ROLE: 'worker', MONGODB_URI: db.uri, YTDLP_PATH: missing });
    try {
      const warnings = await eventually(
        async () => logLines(app.stdout(), /yt-dlp/),
        (lines) => lines.length > 0,
        { timeoutMs: 30000, what: 'the yt-dlp warning' },
      );
      assert.deepEqual(
        warnings.map((line) => line.level),
        [40],
        'one warning',
      );
      assert.match(
        warnings[0].msg,
        new RegExp(`^yt-dlp is not installed at "${missing}" \\(YTDLP_PATH\\): `),
      );
      assert.match(warnings[0].msg, /Updating yt-dlp/);
      assert.equal((await app.get('/healthz')).status, 200, 'the worker runs');
    } finally {
      await app.stop();
    }
    assert.doesNotMatch(app.stdout() + app.stderr(), /^\s+at /m, 'no stack trace');
  });
});

describe('yt-dlp that cannot run', () => {
  const signal = new AbortController().signal;

  it('says whether it is missing, not executable, or failing, naming YTDLP_PATH', async () => {
    const dir = tempDir('sv-ytdlp-broken-');
    const notExecutable = join(dir, 'not-executable');
    writeFileSync(notExecutable, '#!/bin/sh\necho 2099.12.31\n');
    const failing = join(dir, 'failing');
    writeFileSync(failing, '#!/bin/sh\necho "ModuleNotFoundError: No module named yt_dlp" >&2\nexit 1\n');
    chmodSync(failing, 0o755);

    await assert.rejects(
      YtDlpEngine.version(join(dir, 'absent'), signal),
      new RegExp(`^Error: yt-dlp is not installed at "${dir}/absent" \\(YTDLP_PATH\\)$`),
    );
    await assert.rejects(
      YtDlpEngine.version(notExecutable, signal),
      /yt-dlp at ".*not-executable" \(YTDLP_PATH\) is not executable/,
    );
    await assert.rejects(
      YtDlpEngine.version(failing, signal),
      /yt-dlp at ".*failing" \(YTDLP_PATH\) did not run: ModuleNotFoundError: No module named yt_dlp$/,
    );
  });

  it('fails a download with that reason, retryable (another worker may have one)', async () => {
    const engine = new YtDlpEngine(() => Promise.resolve('http://127.0.0.1:9'), '/nonexistent/yt-dlp');
    const download = engine.download({
      source: parseSourceUrl('https://example.com/watch/page.html'),
      dir: tempDir('sv-ytdlp-'),
      signal,
      maxBytes: 1024 * 1024,
      onProgress: () => {},
    });
    await assert.rejects(download, (error: unknown) => {
      assert.ok(error instanceof DownloadFailedError);
      assert.equal(error.message, 'yt-dlp is not installed at "/nonexistent/yt-dlp" (YTDLP_PATH)');
      assert.equal(error.retryable, true);
      return true;
    });
  });
});
