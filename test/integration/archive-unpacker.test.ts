import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DownloadFailedError, TooManyItemsError } from '../../src/ingest/engines/download-engine.js';
import { unpackArchive } from '../../src/ingest/items/archive-unpacker.js';
import { archiveFormat } from '../../src/ingest/processing/archive-detector.js';
import { tempDir } from '../support/media.js';
import { makeRar } from '../support/rar.js';
import { makeZip } from '../support/zip.js';

const limits = { maxEntries: 50, maxBytes: 10 * 1024 * 1024 };
const signal = new AbortController().signal;

/** A folder of files packed by bsdtar in `format` (7zip, ustar, zip). */
function packed(format: string, files: Record<string, string>): string {
  const dir = tempDir('sv-pack-src-');
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, 'in', name, '..'), { recursive: true });
    writeFileSync(join(dir, 'in', name), content);
  }
  const archive = join(dir, `archive.${format}`);
  execFileSync('bsdtar', ['-c', '-f', archive, '--format', format, '-C', join(dir, 'in'), '.']);
  return archive;
}

describe('archive unpacking (bsdtar → tar stream, entries written here)', () => {
  it('unpacks 7z and tar archives, keeping folders', async () => {
    for (const [format, magic] of [
      ['7zip', '7z'],
      ['ustar', 'tar'],
    ]) {
      const archive = packed(format, { 'Show/E01.mkv': 'one', 'Show/Subs/E01.en.srt': 'two' });
      assert.equal(await archiveFormat(archive), magic);
      const target = tempDir('sv-unpacked-');
      const entries = await unpackArchive(archive, target, limits, signal);
      assert.deepEqual(entries.map((e) => e.path).sort(), ['Show/E01.mkv', 'Show/Subs/E01.en.srt']);
      assert.equal(readFileSync(join(target, 'Show/Subs/E01.en.srt'), 'utf8'), 'two');
    }
  });

  it('unpacks a RAR archive, keeping folders', async () => {
    const dir = tempDir('sv-rar-');
    const archive = join(dir, 'pack.rar');
    writeFileSync(
      archive,
      makeRar([
        { name: 'Show/E01.mkv', content: Buffer.from('episode one') },
        { name: 'Show/Subs/E01.en.srt', content: Buffer.from('subtitle') },
      ]),
    );
    assert.equal(await archiveFormat(archive), 'rar');
    const target = join(dir, 'out');
    const entries = await unpackArchive(archive, target, limits, signal);
    assert.deepEqual(entries.map((e) => [e.path, e.size]).sort(), [
      ['Show/E01.mkv', 11],
      ['Show/Subs/E01.en.srt', 8],
    ]);
    assert.equal(readFileSync(join(target, 'Show/E01.mkv'), 'utf8'), 'episode one');
  });

  it('refuses password-protected RAR, zip and 7z archives as encrypted, writing nothing', async () => {
    const dir = tempDir('sv-encrypted-');
    const rar = join(dir, 'locked.rar');
    writeFileSync(
      rar,
      makeRar([{ name: 'E01.mkv', content: Buffer.from('secret episode') }], { encrypted: true }),
    );
    writeFileSync(join(dir, 'E01.mkv'), 'secret episode');
    const locked = [rar];
    for (const [type, extra] of [
      ['zip', []],
      ['7z', []],
      ['7z', ['-mhe=on']], // the file names are encrypted too
    ] as const) {
      const archive = join(dir, `locked-${locked.length}.${type}`);
      execFileSync('7z', ['a', `-t${type}`, '-psecret', ...extra, archive, join(dir, 'E01.mkv')], {
        stdio: 'ignore',
      });
      locked.push(archive);
    }
    for (const archive of locked) {
      const target = join(dir, `out-${locked.indexOf(archive)}`);
      await assert.rejects(
        unpackArchive(archive, target, limits, signal),
        (error: unknown) =>
          error instanceof DownloadFailedError &&
          /the archive is encrypted \(password-protected\)/.test(error.message) &&
          !error.retryable,
        archive,
      );
      assert.equal(existsSync(join(target, 'E01.mkv')), false, `${archive}: nothing written`);
    }
  });

  it('reports ../ and absolute names instead of writing them', async () => {
    const dir = tempDir('sv-evil-');
    const archive = join(dir, 'evil.zip');
    writeFileSync(
      archive,
      makeZip([
        { name: 'ok.mkv', content: Buffer.from('fine') },
        { name: '../../outside.mkv', content: Buffer.from('no') },
        { name: '/tmp/absolute.mkv', content: Buffer.from('no') },
      ]),
    );
    const target = join(dir, 'target');
    const entries = await unpackArchive(archive, target, limits, signal);
    assert.deepEqual(
      entries.map((e) => [e.name, e.path, Boolean(e.refused)]),
      [
        ['ok.mkv', 'ok.mkv', false],
        ['../../outside.mkv', '', true],
        ['/tmp/absolute.mkv', '', true],
      ],
    );
    assert.equal(existsSync(join(dir, 'outside.mkv')), false);
  });

  it('refuses more entries than allowed, and more bytes than allowed (counted, not declared)', async () => {
    const many = packed('zip', Object.fromEntries(Array.from({ length: 8 }, (_, n) => [`f${n}.txt`, 'x'])));
    await assert.rejects(
      unpackArchive(many, tempDir('sv-many-'), { ...limits, maxEntries: 5 }, signal),
      TooManyItemsError,
    );
    const dir = tempDir('sv-bomb-');
    const bomb = join(dir, 'bomb.zip');
    writeFileSync(
      bomb,
      makeZip([{ name: 'zeros.bin', content: Buffer.alloc(4 * 1024 * 1024), deflate: true }]),
    );
    await assert.rejects(
      unpackArchive(bomb, join(dir, 'out'), { ...limits, maxBytes: 1024 * 1024 }, signal),
      (error: unknown) =>
        error instanceof DownloadFailedError && /unpacks to more than 1/.test(error.message),
    );
  });

  it('fails a truncated archive whose tool exits while entries are still being written, and nothing else', async () => {
    const dir = tempDir('sv-truncated-');
    const whole = makeZip(
      Array.from({ length: 8 }, (_, n) => ({ name: `e${n}.mkv`, content: randomBytes(200_000) })),
    );
    const archive = join(dir, 'truncated.zip');
    writeFileSync(archive, whole.subarray(0, whole.length / 2));
    // bsdtar's exit (rejecting its promise) came while an entry was being written, before anything
    // listened for it: an unhandled rejection, which took the whole worker down.
    const rejections: unknown[] = [];
    const listener = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', listener);
    try {
      for (let round = 0; round < 5; round++) {
        await assert.rejects(
          unpackArchive(archive, join(dir, `out-${round}`), limits, signal),
          (error: unknown) =>
            error instanceof DownloadFailedError && /could not be unpacked/.test(error.message),
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      process.off('unhandledRejection', listener);
    }
    assert.deepEqual(rejections, []);
  });

  it("refuses an entry it cannot write (a file where a folder goes, a path too long), shortens a name over the disk's 255 bytes, and unpacks the rest", async () => {
    const dir = tempDir('sv-clash-');
    const archive = join(dir, 'clash.zip');
    const long = `[Group] ${'進撃の巨人 '.repeat(20)}[1080p].mkv`;
    writeFileSync(
      archive,
      makeZip([
        { name: 'a', content: Buffer.from('a file') },
        { name: 'a/b.mkv', content: Buffer.from('under a file') },
        { name: long, content: Buffer.from('long') },
        { name: `${'deep/'.repeat(900)}x.mkv`, content: Buffer.from('deep') },
        { name: 'ok.mkv', content: Buffer.from('fine') },
      ]),
    );
    const target = join(dir, 'target');
    const entries = await unpackArchive(archive, target, limits, signal);
    const byName = new Map(entries.map((entry) => [entry.name, entry]));
    assert.equal(byName.get('ok.mkv')?.path, 'ok.mkv');
    assert.equal(readFileSync(join(target, 'ok.mkv'), 'utf8'), 'fine');
    assert.match(String(byName.get('a/b.mkv')?.refused), /clashes with another entry/);
    const shortened = byName.get(long)!;
    assert.equal(shortened.refused, undefined, 'a long name is shortened, not refused');
    assert.ok(Buffer.byteLength(shortened.path) <= 255, String(Buffer.byteLength(shortened.path)));
    assert.match(shortened.path, /\.mkv$/, 'keeping its extension');
    assert.equal(readFileSync(join(target, shortened.path), 'utf8'), 'long');
    assert.match(String(byName.get(`${'deep/'.repeat(900)}x.mkv`)?.refused), /unusable name/);
    for (const entry of entries)
      assert.doesNotMatch(String(entry.refused), new RegExp(dir), 'no server paths');
  });

  it('says what is wrong with a damaged archive', async () => {
    const dir = tempDir('sv-damaged-');
    const archive = join(dir, 'damaged.zip');
    writeFileSync(
      archive,
      makeZip([{ name: 'a.mkv', content: Buffer.alloc(50_000, 7) }]).subarray(0, 10_000),
    );
    await assert.rejects(
      unpackArchive(archive, join(dir, 'out'), limits, signal),
      /archive could not be unpacked/,
    );
  });
});
