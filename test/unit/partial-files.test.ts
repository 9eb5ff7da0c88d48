import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { isAbandoned, THIS_HOST, writerTag, type WriterHost } from '../../src/core/storage/partial-files.js';

const STALE_MS = 5 * 60_000;
const NOW = Date.now();
/** Two containers with the same `hostname:` in compose, each in its own pid namespace. */
const here: WriterHost = { hostname: 'media-box', pidNamespace: 'pid:[4026531836]' };
const neighbour: WriterHost = { hostname: 'media-box', pidNamespace: 'pid:[4026532210]' };
const deadPid = spawnSync(process.execPath, ['-e', '']).pid!;
const partial = (tag: string) => `cover.webp.${tag}.1.partial`;

describe('partial files: whose temp file is abandoned', () => {
  it('is the file of a writer of this host and pid namespace that is no longer running', () => {
    assert.equal(isAbandoned(partial(writerTag(deadPid, here)), NOW, NOW, STALE_MS, here), true);
    assert.equal(isAbandoned(partial(writerTag(process.pid, here)), NOW, NOW, STALE_MS, here), false);
  });

  it('judges a writer of the same hostname in another pid namespace by age only', () => {
    // Its pid means nothing here (kill answers ESRCH): its live transcode must not be deleted.
    const theirs = partial(writerTag(deadPid, neighbour));
    assert.equal(isAbandoned(theirs, NOW, NOW, STALE_MS, here), false);
    assert.equal(isAbandoned(theirs, NOW - STALE_MS - 1, NOW, STALE_MS, here), true);
  });

  it("names this process's pid namespace in its writer identity where /proc has it", () => {
    if (existsSync('/proc/self/ns/pid')) assert.match(THIS_HOST.pidNamespace, /^pid:\[\d+\]$/);
    else assert.equal(THIS_HOST.pidNamespace, '');
  });
});
