import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DiskLru } from '../../src/core/storage/disk-lru.js';
import { writerTag } from '../../src/core/storage/partial-files.js';
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
    utimesSync(join(dir, 'x.123.partial'), new Date(1000), new Date(1000));
    writeFileSync(join(dir, 'other.txt'), Buffer.alloc(10));
    const lru = new DiskLru(dir, 25, '.bin', { abandonedPartialMs: 60_000 });
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

  it('shared by two processes (one instance each), keeps the directory within the cap together', async () => {
    const dir = tempDir('sv-disk-lru-');
    const [a, b] = [new DiskLru(dir, 100, '.bin'), new DiskLru(dir, 100, '.bin')];
    const onDisk = () =>
      readdirSync(dir)
        .filter((name) => name.endsWith('.bin'))
        .reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
    for (let i = 0; i < 30; i++) {
      const lru = i % 2 === 0 ? a : b;
      writeFileSync(lru.path(`${i}.bin`), Buffer.alloc(10));
      await lru.added(`${i}.bin`, 10);
      assert.ok(onDisk() <= 100, `${onDisk()} bytes on disk after write ${i}`);
    }
    assert.equal(existsSync(a.path('29.bin')), true, 'the newest stays');
  });

  it("evicts by the use order on disk: another process's use keeps an entry", async () => {
    const dir = tempDir('sv-disk-lru-');
    mkdirSync(dir, { recursive: true });
    for (const [name, at] of [
      ['read.bin', 1000],
      ['idle.bin', 2000],
    ] as const) {
      writeFileSync(join(dir, name), Buffer.alloc(10));
      utimesSync(join(dir, name), new Date(at), new Date(at));
    }
    const [reader, writer] = [new DiskLru(dir, 25, '.bin'), new DiskLru(dir, 25, '.bin')];
    await writer.ready();
    assert.equal(await reader.use('read.bin'), 10);
    await eventuallyTouched(join(dir, 'read.bin'));
    writeFileSync(writer.path('new.bin'), Buffer.alloc(10));
    await writer.added('new.bin', 10);
    assert.equal(existsSync(join(dir, 'idle.bin')), false, 'least recently used by anyone');
    assert.equal(existsSync(join(dir, 'read.bin')), true);
  });

  it("never deletes a live writer's partial file; deletes a dead writer's and a stale one", async () => {
    const dir = tempDir('sv-disk-lru-');
    mkdirSync(dir, { recursive: true });
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid!;
    const files = {
      mine: `a.bin.${writerTag()}.1.partial`, // this process is alive and writing
      otherHost: 'b.bin.7@0badcafe.1.partial', // a streamer in another container: only its age tells
      dead: `c.bin.${writerTag(deadPid)}.1.partial`,
      stale: 'd.bin.7@0badcafe.2.partial',
    };
    for (const name of Object.values(files)) writeFileSync(join(dir, name), Buffer.alloc(1));
    utimesSync(join(dir, files.stale), new Date(1000), new Date(1000));
    const fresh = new DiskLru(dir, 100, '.bin', { abandonedPartialMs: 5 * 60_000 });
    await fresh.ready();
    assert.deepEqual(readdirSync(dir).sort(), [files.mine, files.otherHost].sort());
  });
});

/** `use` brings the file's mtime forward without waiting for it (a read never waits on a write). */
async function eventuallyTouched(path: string): Promise<void> {
  for (let i = 0; i < 100 && statSync(path).mtimeMs < 10_000; i++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.ok(statSync(path).mtimeMs > 10_000, 'touched');
}
