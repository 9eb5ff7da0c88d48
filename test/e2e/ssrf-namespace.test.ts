import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../support/paths.js';

const run = promisify(execFile);
const SCENARIOS = join(PROJECT_ROOT, '.build', 'test', 'support', 'ssrf-scenarios.js');

interface Result {
  raw: string;
  outcome: string;
  reason?: string;
  hits?: number;
}

describe('SSRF guard end to end, inside a network namespace with only loopback', () => {
  const isRoot = process.getuid?.() === 0;

  it(
    'refuses every hostile source and fetches nothing but the allowed fixture',
    { skip: !isRoot && 'needs root for unshare -n' },
    async () => {
      const { stdout } = await run('unshare', [
        '-n',
        'sh',
        '-c',
        `ip link set lo up && exec "${process.execPath}" "${SCENARIOS}"`,
      ]);
      const { results, proxied } = JSON.parse(stdout) as {
        port: number;
        results: Result[];
        proxied: { raw: string; status: number; hits: number }[];
      };
      const [allowed, ...hostile] = results;

      assert.equal(allowed.outcome, 'fetched 200', 'the allowed fixture host works, so refusals are real');
      assert.equal(allowed.hits, 1);
      for (const result of hostile) {
        assert.equal(result.outcome, 'refused', `${result.raw}: ${result.outcome} ${result.reason ?? ''}`);
      }
      const byUrl = (suffix: string) => hostile.find((r) => r.raw.endsWith(suffix))!;
      // A redirect from the allowed host is followed only as far as the guard: one hit, then refused.
      for (const path of ['/to-private', '/to-metadata', '/to-loopback-name', '/to-file']) {
        assert.equal(byUrl(path).hits, 1, path);
      }
      assert.match(byUrl('/to-private').reason ?? '', /10\.0\.0\.1, a private address/);
      assert.match(byUrl('/to-loopback-name').reason ?? '', /evil\.example resolves to 127\.0\.0\.1/);
      assert.match(byUrl('/to-file').reason ?? '', /not http\(s\)|file: links/);
      // A public-looking name for loopback never reaches the local server.
      assert.equal(hostile.find((r) => r.raw.startsWith('http://evil.example'))?.hits, 0);

      // Through the guarded proxy (what yt-dlp and aria2c will get): the allowed host works in both
      // modes; everything else is a 403 before any connection is made.
      const [plain, tunnel, ...refused] = proxied;
      assert.deepEqual([plain.status, plain.hits], [200, 1], plain.raw);
      assert.deepEqual([tunnel.status, tunnel.hits], [200, 1], tunnel.raw);
      for (const attempt of refused) assert.deepEqual([attempt.status, attempt.hits], [403, 0], attempt.raw);
    },
  );
});
