import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { testFiles } from '../../scripts/lib/test-files.mjs';

describe('the test files `npm test <filter>` runs', () => {
  // A checkout whose own path contains "ads": the filter must not match it.
  let root: string;
  before(() => {
    root = join(mkdtempSync(join(tmpdir(), 'sv-test-files-')), 'wt-ads');
    for (const file of ['test/unit/ads.test.ts', 'test/e2e/auth.test.ts', 'test/support/ads-helper.ts']) {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      writeFileSync(join(root, file), '');
    }
  });
  after(() => rmSync(dirname(root), { recursive: true, force: true }));

  it('are the compiled tests whose path inside the project contains the filter', () => {
    assert.deepEqual(testFiles(root, ''), ['.build/test/e2e/auth.test.js', '.build/test/unit/ads.test.js']);
    assert.deepEqual(testFiles(root, 'ads'), ['.build/test/unit/ads.test.js']);
    assert.deepEqual(testFiles(root, 'e2e/'), ['.build/test/e2e/auth.test.js']);
  });

  it('are refused when none matches, naming the filter, rather than letting node --test run them all', () => {
    assert.throws(() => testFiles(root, 'no-such-test'), /no test file matches "no-such-test"/);
  });
});
