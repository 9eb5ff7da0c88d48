import { readFile } from 'node:fs/promises';

/** Covers are kept at most this wide and high; getCoverArt resizes down from there. */
export const COVER_SIDE = 1200;
/** An embedded picture or cover file larger than this is ignored (a tagging accident, or a bomb). */
const MAX_COVER_INPUT_BYTES = 40 * 1024 * 1024;
const MAX_COVER_PIXELS = 100_000_000;

const COVER_NAMES = /^(cover|folder|front|albumart|album)\.(jpe?g|png|webp)$/i;

/** Whether a pack's picture is its album cover by name (`cover.jpg`, `folder.jpg`, `front.png`...). */
export function isCoverName(name: string): boolean {
  return COVER_NAMES.test(name.slice(name.lastIndexOf('/') + 1));
}

/** A JPEG of the picture at most COVER_SIDE a side, or undefined when it is not a usable picture. */
export async function coverJpeg(input: Uint8Array | string): Promise<Buffer | undefined> {
  try {
    const bytes = typeof input === 'string' ? await readFile(input) : Buffer.from(input);
    if (bytes.length === 0 || bytes.length > MAX_COVER_INPUT_BYTES) return undefined;
    const sharp = await loadSharp();
    return await sharp(bytes, { limitInputPixels: MAX_COVER_PIXELS })
      .rotate()
      .resize(COVER_SIDE, COVER_SIDE, { fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 85, mozjpeg: true })
      .toBuffer();
  } catch {
    return undefined;
  }
}

/** The cover at `size` pixels (the longer side), from the stored cover. */
export async function resizeCover(cover: Buffer, size: number): Promise<Buffer> {
  const sharp = await loadSharp();
  return sharp(cover)
    .resize(size, size, { fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: 82 })
    .toBuffer();
}

/** sharp on first use: a streamer serving covers loads it only when a client asks for a size. */
async function loadSharp(): Promise<typeof import('sharp').default> {
  return (await import('sharp')).default;
}
