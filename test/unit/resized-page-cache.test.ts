import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type AppConfig } from '../../src/core/config/app-config.js';
import { ResizedPageCache } from '../../src/readvault/pages/resized-page-cache.js';
import { tempDir as newTempDir } from '../support/media.js';

const made: string[] = [];
const dataDir = () => {
  const dir = newTempDir('sv-resized-pages-');
  made.push(dir);
  return dir;
};
after(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const cacheIn = (dir: string) =>
  new ResizedPageCache({ dataDir: dir, readvault: { cacheBytes: 64 * 1024 * 1024 } } as unknown as AppConfig);

describe('ResizedPageCache: resized pages on disk', () => {
  it('takes many writes of one page at once (a popular cover): every one succeeds, the page is whole', async () => {
    const dir = dataDir();
    const cache = cacheIn(dir);
    const bytes = Buffer.alloc(256 * 1024, 7);
    await Promise.all(Array.from({ length: 16 }, () => cache.put('f1-cover-w480.webp', bytes)));
    assert.ok((await cache.get('f1-cover-w480.webp'))?.equals(bytes));
    assert.ok(readFileSync(join(dir, 'cache', 'readvault', 'f1-cover-w480.webp')).equals(bytes));
    assert.deepEqual(
      readdirSync(join(dir, 'cache', 'readvault')),
      ['f1-cover-w480.webp'],
      'no temp file left',
    );
  });

  it("drops the temp files of writes a crash cut short, and only its own directory's", async () => {
    const dir = dataDir();
    const pages = join(dir, 'cache', 'readvault');
    const music = join(dir, 'cache', 'music');
    mkdirSync(pages, { recursive: true });
    mkdirSync(music, { recursive: true });
    writeFileSync(join(pages, 'f1-p1-w480.webp'), Buffer.alloc(10));
    writeFileSync(join(pages, 'f1-p2-w480.webp.4242.3.partial'), Buffer.alloc(5));
    writeFileSync(join(music, 'song.4242.1700000000000.partial'), Buffer.alloc(5));
    for (const partial of [
      join(pages, 'f1-p2-w480.webp.4242.3.partial'),
      join(music, 'song.4242.1700000000000.partial'),
    ]) {
      utimesSync(partial, new Date(1000), new Date(1000));
    }
    const cache = cacheIn(dir);
    assert.equal((await cache.get('f1-p1-w480.webp'))?.length, 10);
    assert.equal(existsSync(join(pages, 'f1-p2-w480.webp.4242.3.partial')), false);
    assert.deepEqual(readdirSync(pages), ['f1-p1-w480.webp']);
    assert.equal(
      existsSync(join(music, 'song.4242.1700000000000.partial')),
      true,
      'another cache: untouched',
    );
  });
});
