import assert from 'node:assert/strict';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { ItemFailedError } from '../../src/ingest/processors/media-kind-processor.js';
import { comicLimits, extractComic } from '../../src/readvault/comic/comic-extractor.js';
import { pageImage } from '../support/comics.js';
import { tempDir } from '../support/media.js';
import { makePdf } from '../support/pdf.js';
import { makeRar } from '../support/rar.js';
import { makeZip, type ZipEntry } from '../support/zip.js';

const MIB = 1024 * 1024;
const signal = new AbortController().signal;

/** A comic source on disk, with the limits ingest would give it (allowance small enough to test). */
function source(name: string, bytes: Buffer, allowance = MIB) {
  const dir = tempDir('sv-comic-src-');
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return { path, work: join(dir, 'work'), limits: comicLimits(bytes.length, 8 * MIB, allowance) };
}

/** Bytes written anywhere under `dir`. */
function bytesUnder(dir: string): number {
  return readdirSync(dir, { recursive: true })
    .map((name) => statSync(join(dir, String(name))))
    .filter((entry) => entry.isFile())
    .reduce((sum, entry) => sum + entry.size, 0);
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => assert.fail('expected the comic to be refused'),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof ItemFailedError, String(error));
  return error.message;
}

describe('comic sources that must be refused, or read only in part', () => {
  it('refuses a zip bomb by the ratio of bytes unpacked to archive bytes', async () => {
    // 40 MiB of zeros deflate to ~40 KiB: 20 × 40 KiB + 1 MiB is far below what it unpacks to.
    const bomb = makeZip([{ name: '001.png', content: Buffer.alloc(40 * MIB), deflate: true }]);
    assert.ok(bomb.length < 100 * 1024);
    const { path, work, limits } = source('bomb.cbz', bomb);
    assert.match(await refusal(extractComic(path, work, limits, signal)), /unpacks to more than 1\.\d MiB/);
    assert.ok(bytesUnder(work) <= limits.maxBytes + MIB, 'stopped at the cap, not at the end');
  });

  it('never unpacks an entry past the size it declares: a lying entry is cut short, the rest reads', async () => {
    const page = await pageImage(300, 400, 60, 'jpeg');
    const liar: ZipEntry = {
      name: '002.png',
      content: Buffer.alloc(40 * MIB),
      deflate: true,
      declaredSize: 1000,
    };
    const { path, work, limits } = source('liar.cbz', makeZip([{ name: '001.jpg', content: page }, liar]));
    const comic = await extractComic(path, work, limits, signal);
    // The 1000 declared bytes of zeros are no image: only the real page is a page.
    assert.deepEqual(
      comic.pages.map((p) => p.source),
      ['001.jpg'],
    );
    assert.ok(bytesUnder(work) < page.length + 4096, `${bytesUnder(work)} bytes written`);
  });

  it('refuses many pages that are each fine but together unpack past the total cap', async () => {
    const page = await pageImage(600, 900, 30, 'png');
    const entries = Array.from({ length: 40 }, (_, n) => ({
      name: `${String(n + 1).padStart(3, '0')}.png`,
      content: page,
    }));
    const zip = makeZip(entries);
    // Stored pages: the archive is as big as its pages, so the cap is the total, told here directly.
    const { path, work } = source('many.cbz', zip);
    const limits = { ...comicLimits(zip.length, 8 * MIB), maxBytes: page.length * 10 };
    assert.match(await refusal(extractComic(path, work, limits, signal)), /unpacks to more than/);
  });

  it('writes no entry named with ../ or an absolute path, and reads the safe pages', async () => {
    const pages = [await pageImage(300, 400, 10, 'jpeg'), await pageImage(300, 400, 20, 'jpeg')];
    const zip = makeZip([
      { name: 'ch1/01.jpg', content: pages[0] },
      { name: '../../escaped.jpg', content: pages[1] },
      { name: '/tmp/absolute-page.jpg', content: pages[1] },
      { name: 'ch1/02.jpg', content: pages[1] },
    ]);
    const { path, work, limits } = source('names.cbz', zip);
    const comic = await extractComic(path, work, limits, signal);
    assert.deepEqual(
      comic.pages.map((page) => page.source),
      ['ch1/01.jpg', 'ch1/02.jpg'],
    );
    const everything = readdirSync(join(work, '..'), { recursive: true }).map(String);
    assert.ok(!everything.some((name) => name.includes('escaped') || name.includes('absolute-page')));
  });

  it('refuses an archive without images, an encrypted RAR and an encrypted PDF, saying so', async () => {
    const text = source('notes.cbz', makeZip([{ name: 'notes.txt', content: Buffer.from('no pictures') }]));
    assert.match(await refusal(extractComic(text.path, text.work, text.limits, signal)), /no images in it/);
    const page = await pageImage(300, 400, 40, 'png');
    const rar = source('locked.cbr', makeRar([{ name: '01.png', content: page }], { encrypted: true }));
    assert.match(await refusal(extractComic(rar.path, rar.work, rar.limits, signal)), /encrypted/);
    const jpeg = await pageImage(300, 400, 50, 'jpeg');
    const pdf = source('locked.pdf', makePdf([{ jpeg, width: 300, height: 400 }], { encrypted: true }));
    assert.match(
      await refusal(extractComic(pdf.path, pdf.work, pdf.limits, signal)),
      /the PDF is encrypted \(password-protected\)/,
    );
  });

  it('renders a tiny PDF that declares huge pages within the page limits, the others at 150 dpi', async () => {
    const jpeg = await pageImage(40, 40, 70, 'jpeg');
    const huge = { jpeg, width: 40, height: 40, points: { width: 7000, height: 7000 } };
    const bytes = makePdf([{ jpeg, width: 40, height: 40, points: { width: 300, height: 400 } }, huge, huge]);
    assert.ok(bytes.length < 4096);
    const { path, work } = source('huge.pdf', bytes);
    // 150 dpi would be 14,584 px a side (213 million pixels) per huge page.
    const limits = { ...comicLimits(bytes.length, 8 * MIB, MIB), maxPagePixels: 4_000_000 };
    const comic = await extractComic(path, work, limits, signal);
    const sizes = comic.pages.map(({ width, height }) => [width, height]);
    assert.deepEqual(sizes[0], [625, 834]);
    assert.equal(sizes.length, 3);
    for (const [width, height] of sizes.slice(1)) {
      assert.ok(width * height <= 4_000_000 && width > 1900 && width === height, `${width}×${height}`);
    }
  });

  it('refuses a PDF whose rendered pages pass the byte cap', async () => {
    const jpeg = await pageImage(40, 40, 90, 'jpeg');
    const page = { jpeg, width: 40, height: 40, points: { width: 2000, height: 2000 } };
    const bytes = makePdf([page, page, page]);
    const { path, work } = source('heavy.pdf', bytes);
    const limits = { ...comicLimits(bytes.length, 8 * MIB, MIB), maxBytes: 64 * 1024 };
    assert.match(
      await refusal(extractComic(path, work, limits, signal)),
      /the PDF renders to more than 64\.0 KiB/,
    );
  });

  it('refuses strips past the page or strip-pixel budget before cutting them, not after', async () => {
    // Three 100×5000 strips: two tiles each, 500,000 px each.
    const strip = await pageImage(100, 5000, 100, 'png');
    const zip = makeZip(['01.png', '02.png', '03.png'].map((name) => ({ name, content: strip })));
    const tilesUnder = (work: string) =>
      readdirSync(join(work, 'tiles'), { recursive: true }).filter((name) =>
        /\.(png|jpg)$/.test(String(name)),
      ).length;
    const pages = source('strips.cbz', zip);
    const fewPages = { ...pages.limits, maxPages: 4 };
    assert.match(
      await refusal(extractComic(pages.path, pages.work, fewPages, signal)),
      /more than 4 pages \(long strips counted as their tiles\)/,
    );
    assert.equal(tilesUnder(pages.work), 4, 'the third strip was never cut');
    const pixels = source('strips.cbz', zip);
    const fewPixels = { ...pixels.limits, maxStripPixels: 1_200_000 };
    assert.match(
      await refusal(extractComic(pixels.path, pixels.work, fewPixels, signal)),
      /long strips add up to more than 1200000 px \(at 03\.png\)/,
    );
    assert.equal(tilesUnder(pixels.work), 4);
  });

  it('cuts a 60,000 px webtoon strip into pages of at most 4096 px that stack back into it', async () => {
    // Every row its own colour, so a tile out of order or off by a row shows.
    const width = 120;
    const height = 60_000;
    const pixels = Buffer.alloc(width * height * 3);
    for (let row = 0; row < height; row++) {
      pixels.fill(
        Buffer.from([row % 251, (row >> 8) % 256, 255 - (row % 199)]),
        row * width * 3,
        (row + 1) * width * 3,
      );
    }
    const strip = await sharp(pixels, { raw: { width, height, channels: 3 } })
      .png({ compressionLevel: 9 })
      .toBuffer();
    const cover = await pageImage(300, 400, 20, 'png');
    const { path, work, limits } = source(
      'strip.cbz',
      makeZip([
        { name: '000.png', content: cover },
        { name: '001.png', content: strip },
      ]),
    );
    const { pages } = await extractComic(path, work, limits, signal);
    assert.equal(pages.length, 1 + 15, 'the cover, then ceil(60000 / 4096) = 15 tiles');
    assert.equal(pages[0].source, '000.png');
    const tiles = pages.slice(1);
    assert.deepEqual(
      tiles.map((tile) => tile.source),
      tiles.map((_, n) => `001.png (part ${n + 1} of 15)`),
    );
    assert.ok(tiles.every((tile) => tile.width === width && tile.height <= 4096));
    assert.equal(
      tiles.reduce((sum, tile) => sum + tile.height, 0),
      height,
    );
    let top = 0;
    for (const tile of tiles) {
      assert.equal(tile.ext, 'png', 'a PNG strip stays lossless');
      const decoded = await sharp(tile.path).raw().toBuffer({ resolveWithObject: true });
      assert.equal(decoded.info.height, tile.height);
      const expected = pixels.subarray(top * width * 3, (top + tile.height) * width * 3);
      assert.ok(decoded.data.equals(expected), `tile at row ${top} is those rows of the strip`);
      top += tile.height;
    }
  });

  it('refuses a page too wide, or a strip past its height or pixel cap, with its size', async () => {
    const wide = await sharp({
      create: { width: 20_000, height: 300, channels: 3, background: { r: 200, g: 220, b: 240 } },
    })
      .png({ compressionLevel: 9 })
      .toBuffer();
    const one = source('wide.cbz', makeZip([{ name: '001.png', content: wide }]));
    assert.match(
      await refusal(extractComic(one.path, one.work, one.limits, signal)),
      /page 001\.png is 20000×300 px, over the limit of 16383 px wide/,
    );
    const tall = await sharp({
      create: { width: 10, height: 210_000, channels: 3, background: { r: 9, g: 9, b: 9 } },
    })
      .png({ compressionLevel: 9 })
      .toBuffer();
    const two = source('tall.cbz', makeZip([{ name: '001.png', content: tall }]));
    assert.match(
      await refusal(extractComic(two.path, two.work, two.limits, signal)),
      /page 001\.png is 10×210000 px, .*200000 for a strip/,
    );
  });
});
