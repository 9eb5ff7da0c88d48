import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ensureWritableDirectory } from '../../src/core/data-dir/writable-directory.js';
import { tempDir } from '../support/media.js';

describe('a directory the process must write to', () => {
  it('is created with its parents when missing', () => {
    const path = join(tempDir('sv-wd-'), 'a', 'b');
    ensureWritableDirectory(path, 'DATA_DIR');
  });

  it('names the real problem when a file stands where it should be, or above it', () => {
    const root = tempDir('sv-wd-');
    const file = join(root, 'data');
    writeFileSync(file, 'not a folder');
    assert.throws(
      () => ensureWritableDirectory(file, 'DATA_DIR'),
      /DATA_DIR .*\/data cannot be created or written \(it is a file, not a directory\)/,
    );
    assert.throws(
      () => ensureWritableDirectory(join(file, 'media'), 'DATA_DIR/media'),
      /a parent of it is a file, not a directory, ENOTDIR/,
    );
    mkdirSync(join(root, 'fine'));
    ensureWritableDirectory(join(root, 'fine'), 'DATA_DIR');
  });
});
