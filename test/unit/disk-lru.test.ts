import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DiskLru } from '../../src/core/storage/disk-lru.js';
import { tempDir as newTempDir } from '../support/media.js';

const made: string[] = [];
const tempDir = (prefix: string) => {
  const dir = newTempDir(prefix);
  made.push(dir);
  return dir;
};
after(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('DiskLru: a size-capped cache directory', () => {
  it('deletes the least recently used entries once an addition passes the cap', async () => {
    const dir = tempDir('sv-disk-lru-');
    const lru = new DiskLru(dir, 25, '.bin');
    for (const name of ['a.bin', 'b.bin']) {
      writeFileSync(lru.path(name), Buffer.alloc(10));
      await lru.added(name, 10);
    }
    assert.equal(await lru.use('a.bin'), 10); // a is now the most recently used
    writeFileSync(lru.path('c.bin'), Buffer.alloc(10));
    await lru.added('c.bin', 10);
    assert.equal(existsSync(lru.path('b.bin')), false);
    assert.equal(await lru.use('b.bin'), undefined);
    assert.equal(existsSync(lru.path('a.bin')), true);
    assert.equal(existsSync(lru.path('c.bin')), true);
  });

  it('deletes the entries a predicate picks, and counts them out of the total', async () => {
    const dir = tempDir('sv-disk-lru-');
    const lru = new DiskLru(dir, 30, '.bin');
    for (const name of ['f1-a.bin', 'f1-b.bin', 'f2-a.bin']) {
      writeFileSync(lru.path(name), Buffer.alloc(10));
      await lru.added(name, 10);
    }
    assert.equal(await lru.removeWhere((name) => name.startsWith('f1-')), 2);
    assert.equal(existsSync(lru.path('f1-a.bin')), false);
    assert.equal(existsSync(lru.path('f1-b.bin')), false);
    assert.equal(await lru.use('f1-a.bin'), undefined);
    // 10 bytes left of 30: two more fit without evicting the survivor.
    for (const name of ['f3-a.bin', 'f3-b.bin']) {
      writeFileSync(lru.path(name), Buffer.alloc(10));
      await lru.added(name, 10);
    }
    assert.equal(await lru.use('f2-a.bin'), 10);
  });

  it("starts from the files already there, oldest first, and drops dead writers' partial files when asked", async () => {
    const dir = tempDir('sv-disk-lru-');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'old.bin'), Buffer.alloc(10));
    utimesSync(join(dir, 'old.bin'), new Date(1000), new Date(1000));
    writeFileSync(join(dir, 'new.bin'), Buffer.alloc(10));
    writeFileSync(join(dir, 'x.123.partial'), Buffer.alloc(10));
    writeFileSync(join(dir, 'other.txt'), Buffer.alloc(10));
    const lru = new DiskLru(dir, 25, '.bin', true);
    await lru.ready();
    assert.equal(existsSync(join(dir, 'x.123.partial')), false);
    assert.equal(existsSync(join(dir, 'other.txt')), true, 'not an entry, not touched');
    writeFileSync(lru.path('more.bin'), Buffer.alloc(10));
    await lru.added('more.bin', 10);
    assert.equal(existsSync(join(dir, 'old.bin')), false);
    assert.equal(await lru.use('new.bin'), 10);
  });

  it('keeps partial files unless asked, and forgets an entry whose file was lost', async () => {
    const dir = tempDir('sv-disk-lru-');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'y.1.partial'), Buffer.alloc(1));
    writeFileSync(join(dir, 'gone.bin'), Buffer.alloc(10));
    const lru = new DiskLru(dir, 100, '.bin');
    await lru.ready();
    assert.equal(existsSync(join(dir, 'y.1.partial')), true);
    await lru.lost('gone.bin');
    assert.equal(await lru.use('gone.bin'), undefined);
  });
});
