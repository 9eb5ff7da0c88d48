import { createWriteStream } from 'node:fs';
import { mkdir, open, rm, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { join } from 'node:path';
import sharp from 'sharp';

/** The tallest tile a long strip is cut into: what every reader and phone decodes without trouble. */
export const MAX_TILE_HEIGHT = 4096;

/** A page is a strip to tile when it is taller than a tile and at least this many times its width. */
const STRIP_ASPECT = 2;

export interface StripTile {
  path: string;
  ext: 'jpg' | 'png';
  width: number;
  height: number;
}

/** Whether a page is a long vertical strip (a webtoon chapter drawn as one image) to cut into tiles. */
export function isStrip(width: number, height: number): boolean {
  return height > MAX_TILE_HEIGHT && height >= STRIP_ASPECT * width;
}

/** Tile heights that add up to `height`, each at most MAX_TILE_HEIGHT and as even as they can be. */
export function tileHeights(height: number): number[] {
  const count = Math.ceil(height / MAX_TILE_HEIGHT);
  const base = Math.floor(height / count);
  return Array.from({ length: count }, (_, n) => base + (n < height % count ? 1 : 0));
}

/**
 * Cuts a strip into tiles, top to bottom, written to `dir`: stacked (as the reader's webtoon mode
 * does, with no gap) they are the strip again. PNG stays lossless PNG; a JPEG strip is cut into
 * JPEGs at high quality (a JPEG cannot be cut without re-encoding); other formats become PNG.
 * The strip is decoded once, to raw pixels on disk, and each tile reads only its rows: cutting
 * from the image itself would decode it from the top again for every tile.
 */
export async function cutStrip(
  path: string,
  ext: string,
  size: { width: number; height: number },
  dir: string,
  limitInputPixels: number,
): Promise<StripTile[]> {
  await mkdir(dir, { recursive: true });
  const rawPath = join(dir, 'strip.raw');
  await pipeline(
    sharp(path, { limitInputPixels, sequentialRead: true }).raw({ depth: 'uchar' }),
    createWriteStream(rawPath),
  );
  // One byte per channel: what the decoded size says (1 to 4, a palette expanded).
  const channels = (await stat(rawPath)).size / (size.width * size.height);
  if (![1, 2, 3, 4].includes(channels)) throw new Error(`the strip decoded to ${channels} bytes per pixel`);
  const rowBytes = size.width * channels;
  const tiles: StripTile[] = [];
  let top = 0;
  const tileExt = ext === 'jpg' ? 'jpg' : 'png';
  const raw = await open(rawPath, 'r');
  try {
    for (const [index, height] of tileHeights(size.height).entries()) {
      const tile = join(dir, `${String(index + 1).padStart(4, '0')}.${tileExt}`);
      const rows = Buffer.alloc(rowBytes * height);
      await raw.read(rows, 0, rows.length, top * rowBytes);
      const cut = sharp(rows, { raw: { width: size.width, height, channels: channels as 1 | 2 | 3 | 4 } });
      await (tileExt === 'jpg' ? cut.jpeg({ quality: 92 }) : cut.png()).toFile(tile);
      tiles.push({ path: tile, ext: tileExt, width: size.width, height });
      top += height;
    }
  } finally {
    await raw.close();
    await rm(rawPath, { force: true });
  }
  return tiles;
}
