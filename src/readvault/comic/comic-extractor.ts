import { type Dirent } from 'node:fs';
import { mkdir, open, readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { execa } from 'execa';
import { fileTypeFromFile } from 'file-type';
import { createExtractorFromFile } from 'node-unrar-js';
import sharp from 'sharp';
import { formatBytes } from '../../core/util/format-units.js';
import { DownloadFailedError } from '../../ingest/engines/download-engine.js';
import { isEncryptedArchive } from '../../ingest/items/archive-encryption.js';
import { unpackArchive } from '../../ingest/items/archive-unpacker.js';
import { safeRelativePath } from '../../ingest/items/safe-path.js';
import { ItemFailedError } from '../../ingest/processors/media-kind-processor.js';
import { archiveFormat } from '../../ingest/processing/archive-detector.js';
import { cutStrip, isStrip, tileHeights } from './strip-tiles.js';

export interface ComicLimits {
  /** Most pages one chapter may have. */
  maxPages: number;
  /** Most bytes its pages may unpack to, all together. */
  maxBytes: number;
  /** Largest single page, in bytes. */
  maxPageBytes: number;
  /** Longest side of a page in pixels (WebP, which resized pages are, stops at 16,383). */
  maxPageSide: number;
  /** Tallest strip accepted (cut into tiles of at most 4096 px: each within `maxPageSide`). */
  maxStripHeight: number;
  /** Most pixels a page may decode to (sharp's limitInputPixels). */
  maxPagePixels: number;
  /** Most pixels of strips one chapter may cut into tiles, all together (each is decoded whole). */
  maxStripPixels: number;
}

/** A chapter's unpacked pages may not exceed this many times the source (a zip bomb stops there)... */
export const MAX_UNPACK_RATIO = 20;
/** ...beyond this allowance (a PDF renders to more bytes than it holds). */
export const UNPACK_ALLOWANCE = 512 * 1024 * 1024;

/**
 * The limits for a source of `sourceSize` bytes: the bytes actually unpacked (never the sizes an
 * archive declares) capped at the ratio plus the allowance, pages capped in count, bytes and pixels.
 */
export function comicLimits(
  sourceSize: number,
  maxPageBytes: number,
  allowance = UNPACK_ALLOWANCE,
): ComicLimits {
  return {
    maxPages: 5000,
    maxBytes: sourceSize * MAX_UNPACK_RATIO + allowance,
    maxPageBytes,
    maxPageSide: 16383,
    maxStripHeight: 200_000,
    maxPagePixels: 100_000_000,
    maxStripPixels: 1_000_000_000,
  };
}

export interface ComicPage {
  /** Its name inside the source, as shown to people. */
  source: string;
  path: string;
  /** jpg, png, webp, gif or avif. */
  ext: string;
  width: number;
  height: number;
}

export interface ExtractedComic {
  /** How the pages were read: cbz, cbr, cb7, tar, pdf or folder. */
  format: string;
  pages: ComicPage[];
  /** ComicInfo.xml, when the source has one. */
  comicInfo?: string;
}

const PAGE_TYPES = new Set(['jpg', 'png', 'webp', 'gif', 'avif']);
const PDF_DPI = 150;
const PDF_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * Turns a comic source — a CBZ/ZIP, CBR (RAR, through node-unrar-js), CB7/7z or tar (through bsdtar,
 * with the pack guards: safe names, entry and byte caps, encryption told), a PDF (pages rendered by
 * poppler's pdftoppm) or a folder of images — into its pages in reading order (natural sort of their
 * paths), each checked to be an image by content and within the byte and pixel limits.
 */
export async function extractComic(
  source: string,
  work: string,
  limits: ComicLimits,
  signal: AbortSignal,
): Promise<ExtractedComic> {
  const raw = join(work, 'raw');
  await mkdir(raw, { recursive: true });
  let format: string;
  let root = raw;
  if ((await stat(source)).isDirectory()) {
    format = 'folder';
    root = source;
  } else if (await isPdf(source)) {
    format = 'pdf';
    await renderPdf(source, raw, limits, signal);
  } else {
    const archive = await archiveFormat(source);
    if (!archive) throw new ItemFailedError('not a comic: neither an archive of pictures nor a PDF');
    if (archive === 'rar') {
      format = 'cbr';
      await unrar(source, raw, limits);
    } else {
      format = archive === 'zip' ? 'cbz' : archive === '7z' ? 'cb7' : archive;
      try {
        await unpackArchive(
          source,
          raw,
          { maxEntries: limits.maxPages + 16, maxBytes: limits.maxBytes },
          signal,
        );
      } catch (error) {
        if (error instanceof DownloadFailedError) throw new ItemFailedError(error.message);
        throw error;
      }
    }
  }
  const files = await walk(root);
  const infoFile = files.find((file) => basename(file).toLowerCase() === 'comicinfo.xml');
  const comicInfo = infoFile ? (await readFile(infoFile, 'utf8')).slice(0, 256 * 1024) : undefined;
  const pages: ComicPage[] = [];
  let stripPixels = 0;
  for (const path of files) {
    if (path === infoFile) continue;
    const type = await fileTypeFromFile(path).catch(() => undefined);
    if (!type || !PAGE_TYPES.has(type.ext)) continue; // thumbs.db, .nfo, scanner credits in text...
    const name = relative(root, path).split(sep).join('/');
    const size = await checkPage(path, name, limits);
    if (!isStrip(size.width, size.height)) {
      if (pages.length + 1 > limits.maxPages) throw tooManyPages(limits);
      pages.push({ source: name, path, ext: type.ext, ...size });
      continue;
    }
    // Refused before the work: a pack of long strips would otherwise be cut in full first.
    if (pages.length + tileHeights(size.height).length > limits.maxPages) throw tooManyPages(limits);
    stripPixels += size.width * size.height;
    if (stripPixels > limits.maxStripPixels) {
      throw new ItemFailedError(
        `its long strips add up to more than ${limits.maxStripPixels} px (at ${name}), over the limit per chapter`,
      );
    }
    // A webtoon strip drawn as one image: pages of at most 4096 px that the reader stacks again.
    const tiles = await cutStrip(
      path,
      type.ext,
      size,
      join(work, 'tiles', String(pages.length)),
      limits.maxPagePixels,
    );
    for (const [index, tile] of tiles.entries()) {
      pages.push({ source: `${name} (part ${index + 1} of ${tiles.length})`, ...tile });
    }
  }
  if (pages.length === 0) throw new ItemFailedError('no images in it: not a comic');
  return { format, pages, comicInfo };
}

function tooManyPages(limits: ComicLimits): ItemFailedError {
  return new ItemFailedError(
    `more than ${limits.maxPages} pages (long strips counted as their tiles), over the limit per chapter`,
  );
}

/** A page within the limits, with its size in pixels; a page that is not, fails the chapter with which one. */
async function checkPage(
  path: string,
  name: string,
  limits: ComicLimits,
): Promise<{ width: number; height: number }> {
  const bytes = (await stat(path)).size;
  if (bytes > limits.maxPageBytes) {
    throw new ItemFailedError(
      `page ${name} is ${formatBytes(bytes)}, over the ${formatBytes(limits.maxPageBytes)} page limit`,
    );
  }
  let width: number | undefined;
  let height: number | undefined;
  try {
    ({ width, height } = await sharp(path, { limitInputPixels: limits.maxPagePixels }).metadata());
  } catch (error) {
    throw new ItemFailedError(`page ${name} cannot be read as an image: ${(error as Error).message}`);
  }
  if (!width || !height) throw new ItemFailedError(`page ${name} has no size: a damaged image`);
  const tallest = isStrip(width, height) ? limits.maxStripHeight : limits.maxPageSide;
  if (width > limits.maxPageSide || height > tallest || width * height > limits.maxPagePixels) {
    throw new ItemFailedError(
      `page ${name} is ${width}×${height} px, over the limit of ${limits.maxPageSide} px wide, ${limits.maxPageSide} px high (${limits.maxStripHeight} for a strip, cut into tiles) and ${limits.maxPagePixels} px in all`,
    );
  }
  return { width, height };
}

async function isPdf(path: string): Promise<boolean> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(5);
    await file.read(head, 0, 5, 0);
    return head.toString('latin1') === '%PDF-';
  } finally {
    await file.close();
  }
}

/**
 * Pages of a PDF as JPEG files (poppler's pdftoppm); an encrypted PDF is refused as such. Each page is
 * rendered at PDF_DPI unless that would pass the page limits (a few hundred bytes can declare a
 * 7000-point page, gigabytes of pixels): then at the resolution that fits. Pages go in runs of like
 * resolution, and the bytes written are counted after each run against `maxBytes`.
 */
async function renderPdf(
  source: string,
  target: string,
  limits: ComicLimits,
  signal: AbortSignal,
): Promise<void> {
  const info = await execa('pdfinfo', ['--', source], {
    reject: false,
    cancelSignal: signal,
    stdin: 'ignore',
  });
  const text = `${info.stdout}\n${info.stderr}`;
  if (/Incorrect password|Encrypted:\s+yes/i.test(text)) {
    throw new ItemFailedError('the PDF is encrypted (password-protected); it cannot be read');
  }
  if (info.exitCode !== 0) throw new ItemFailedError(`not a readable PDF: ${lastLine(info.stderr)}`);
  const pages = Number(/^Pages:\s+(\d+)/m.exec(info.stdout)?.[1] ?? 0);
  if (pages === 0) throw new ItemFailedError('the PDF has no pages');
  if (pages > limits.maxPages)
    throw new ItemFailedError(`${pages} pages, over the limit of ${limits.maxPages} per chapter`);
  const sizes = await execa('pdfinfo', ['-f', '1', '-l', String(pages), '--', source], {
    reject: false,
    cancelSignal: signal,
    stdin: 'ignore',
  });
  if (sizes.exitCode !== 0) throw new ItemFailedError(`not a readable PDF: ${lastLine(sizes.stderr)}`);
  const deadline = Date.now() + PDF_TIMEOUT_MS;
  for (const run of renderRuns(pdfPageSizes(sizes.stdout, pages), limits)) {
    const result = await execa(
      'pdftoppm',
      [
        ...['-r', String(run.dpi), '-f', String(run.first), '-l', String(run.last)],
        ...['-jpeg', '-jpegopt', 'quality=90', '--', source, join(target, 'page')],
      ],
      {
        reject: false,
        cancelSignal: signal,
        timeout: Math.max(1000, deadline - Date.now()),
        stdin: 'ignore',
        detached: true,
        forceKillAfterDelay: 2000,
      },
    );
    if (signal.aborted) throw signal.reason;
    if (result.exitCode !== 0)
      throw new ItemFailedError(`the PDF could not be rendered: ${lastLine(result.stderr)}`);
    let written = 0;
    for (const path of await walk(target)) written += (await stat(path)).size;
    if (written > limits.maxBytes) {
      throw new ItemFailedError(`the PDF renders to more than ${formatBytes(limits.maxBytes)}; refused`);
    }
  }
}

/** Most pages rendered by one pdftoppm run: the bytes written are checked between runs. */
const PDF_PAGES_PER_RUN = 50;
/** Most pixels a rendered PDF page gets (6000 × 6000; 150 dpi of a 40-inch page). */
const PDF_MAX_PAGE_PIXELS = 36_000_000;

/** Each page's size in points as shown (a page rotated a quarter turn has its sides swapped). */
function pdfPageSizes(pdfinfo: string, pages: number): { width: number; height: number }[] {
  const sizes = Array.from({ length: pages }, () => ({ width: 612, height: 792 }));
  for (const [, page, width, height] of pdfinfo.matchAll(/^Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+)/gm)) {
    const at = Number(page) - 1;
    if (at >= 0 && at < pages) sizes[at] = { width: Number(width), height: Number(height) };
  }
  for (const [, page, rotation] of pdfinfo.matchAll(/^Page\s+(\d+) rot:\s+(\d+)/gm)) {
    const size = sizes[Number(page) - 1];
    if (size && Number(rotation) % 180 === 90) [size.width, size.height] = [size.height, size.width];
  }
  return sizes;
}

/**
 * Consecutive pages to render at one resolution: PDF_DPI, or lower for a page that would otherwise
 * pass the width, height (a strip's own) or pixel limit; a pixel is added per side by rounding up.
 */
function renderRuns(
  sizes: readonly { width: number; height: number }[],
  limits: Pick<ComicLimits, 'maxPageSide' | 'maxStripHeight' | 'maxPagePixels'>,
): { first: number; last: number; dpi: number }[] {
  const pixels = Math.min(limits.maxPagePixels, PDF_MAX_PAGE_PIXELS);
  const runs: { first: number; last: number; dpi: number }[] = [];
  for (const [index, { width: w, height: h }] of sizes.entries()) {
    const [width, height] = [Math.max(w, 1), Math.max(h, 1)];
    // A strip keeps its length (it is cut into tiles later); any page keeps within the pixel budget,
    // its sides rounded up: (width·s + 1)(height·s + 1) ≤ pixels, s being pixels per point.
    const tallest = height >= 2 * width ? limits.maxStripHeight : limits.maxPageSide;
    const sum = width + height;
    const product = width * height;
    const byPixels = (-sum + Math.sqrt(sum * sum + 4 * product * (pixels - 1))) / (2 * product);
    const fit = Math.min(
      PDF_DPI,
      (72 * (limits.maxPageSide - 1)) / width,
      (72 * (tallest - 1)) / height,
      72 * byPixels * 0.999,
    );
    const dpi = Math.max(0.01, Math.floor(fit * 100) / 100);
    const last = runs.at(-1);
    if (last && last.dpi === dpi && last.last === index && last.last - last.first + 1 < PDF_PAGES_PER_RUN) {
      last.last = index + 1;
    } else {
      runs.push({ first: index + 1, last: index + 1, dpi });
    }
  }
  return runs;
}

/**
 * A RAR's pictures through unrar (node-unrar-js, WebAssembly): headers first — encrypted, too many
 * entries or too many declared bytes are refused before anything is written — then only the safely
 * named entries are extracted, and the bytes written are counted again.
 */
async function unrar(source: string, target: string, limits: ComicLimits): Promise<void> {
  if (await isEncryptedArchive(source, 'rar')) {
    throw new ItemFailedError('the archive is encrypted (password-protected); it cannot be unpacked');
  }
  const names = new Map<string, string>();
  try {
    const lister = await createExtractorFromFile({ filepath: source });
    let declared = 0;
    let count = 0;
    for (const header of lister.getFileList().fileHeaders) {
      if (header.flags.directory) continue;
      if (++count > limits.maxPages + 16) {
        throw new ItemFailedError(`more than ${limits.maxPages + 16} files in the archive; refused`);
      }
      declared += header.unpSize;
      const safe = safeRelativePath(header.name);
      if (safe) names.set(header.name, safe);
    }
    if (declared > limits.maxBytes) {
      throw new ItemFailedError(`the archive unpacks to more than ${formatBytes(limits.maxBytes)}; refused`);
    }
    const extractor = await createExtractorFromFile({
      filepath: source,
      targetPath: target,
      filenameTransform: (name) => names.get(name) ?? name,
    });
    // The generator does the work; run it to the end.
    for (const file of extractor.extract({ files: (header) => names.has(header.name) }).files) void file;
  } catch (error) {
    if (error instanceof ItemFailedError) throw error;
    throw new ItemFailedError(`the RAR archive could not be unpacked: ${(error as Error).message}`);
  }
  let written = 0;
  for (const path of await walk(target)) written += (await stat(path)).size;
  if (written > limits.maxBytes) {
    throw new ItemFailedError(`the archive unpacks to more than ${formatBytes(limits.maxBytes)}; refused`);
  }
}

/** Regular files under `root`, in reading order (natural sort: page 2 before page 10). */
async function walk(root: string): Promise<string[]> {
  const entries = (await readdir(root, { recursive: true, withFileTypes: true })) as Dirent[];
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

function lastLine(text: string): string {
  return (text.trim().split('\n').at(-1) ?? 'unknown error').slice(0, 200);
}
