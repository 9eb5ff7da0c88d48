import assert from 'node:assert/strict';
import fs, { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { loadConfig } from '../../src/core/config/load-config.js';
import { loadOrCreateSecretKey, SECRET_KEY_FILE } from '../../src/core/config/secret-key.js';

describe('the generated SECRET_KEY in DATA_DIR', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'sv-secret-key-'));
  });
  afterEach(() => {
    mock.restoreAll();
    syncBuiltinESMExports();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is generated once and read back after', () => {
    const key = loadOrCreateSecretKey(dataDir);
    assert.match(key, /^[0-9a-f]{64}$/);
    assert.equal(loadOrCreateSecretKey(dataDir), key);
    assert.deepEqual(readdirSync(dataDir), [SECRET_KEY_FILE], 'no file written aside is left behind');
  });

  it('is the same for two processes that start on one DATA_DIR at once: the first written wins', () => {
    const file = join(dataDir, SECRET_KEY_FILE);
    const theirs = 'k'.repeat(64);
    // The other process writes its key just after this one looked and found none.
    const readFileSync = fs.readFileSync;
    let looked = false;
    mock.method(fs, 'readFileSync', (...args: Parameters<typeof readFileSync>) => {
      if (looked || args[0] !== file) return readFileSync(...args);
      looked = true;
      try {
        return readFileSync(...args);
      } finally {
        writeFileSync(file, `${theirs}\n`);
      }
    });
    syncBuiltinESMExports();

    assert.equal(loadOrCreateSecretKey(dataDir), theirs);
    assert.equal(readFileSync(file, 'utf8').trim(), theirs, 'their key is not replaced');
  });

  it('is refused, not replaced, when the file holds a key too short, naming the file', () => {
    const file = join(dataDir, SECRET_KEY_FILE);
    writeFileSync(file, 'short\n');
    assert.throws(
      () => loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir }),
      (error: Error) =>
        error.name === 'ConfigError' && error.message.includes(file) && /fewer than 32/.test(error.message),
    );
    assert.equal(fs.readFileSync(file, 'utf8'), 'short\n', 'the file is left as it was');
  });
});
