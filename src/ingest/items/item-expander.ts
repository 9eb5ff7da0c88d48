import { type Dirent } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import pLimit from 'p-limit';
import { APP_CONFIG, type AppConfig } from '../../core/config/app-config.js';
import { TooManyItemsError } from '../engines/download-engine.js';
import { archiveFormat } from '../processing/archive-detector.js';
import { type IngestTask } from '../schemas/ingest-task.schema.js';
import { unpackArchive, unpackCeiling } from './archive-unpacker.js';
import { type IngestItem } from './ingest-item.js';
import { MediaClassifier } from './media-classifier.js';
import { layoutPack } from './pack-layout.js';

/** Where an archive's entries are written inside the sandbox (no downloaded name starts with a dot). */
export const UNPACKED_DIR = '.unpacked';
const COMIC_NAMES = /\.(cbz|cbr|cb7|cbt)$/i;
const PICTURE_NAMES = /\.(jpe?g|png|webp|gif|avif|bmp)$/i;
/** `download.unpacked` of an archive holding only pictures: kept whole, one comic. */
const PICTURE_ARCHIVE = 'pictures';

/**
 * Turns a finished download into the task's items: the one file, a torrent's folder, or an archive's
 * entries (a zip, tar, 7z or rar that holds media is a pack like a torrent folder; one that holds
 * only pictures, or is named .cbz/.cbr/.cb7, is a comic). Every file is classified by content and
 * the pack's relations (samples, sidecar subtitles) are worked out; nothing is stored yet.
 */
@Injectable()
export class ItemExpander {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly classifier: MediaClassifier,
  ) {}

  /** Unpacks the download if it is a pack in an archive; the archive format, or undefined. */
  async unpack(
    download: NonNullable<IngestTask['download']>,
    sandbox: string,
    ceiling: number,
    signal: AbortSignal,
  ): Promise<{ format?: string; refused: IngestItem[] }> {
    if (COMIC_NAMES.test(download.fileName)) return { refused: [] };
    const isFile = (await stat(download.path)).isFile();
    const format = isFile ? await archiveFormat(download.path) : undefined;
    if (!format) return { refused: [] };
    const target = join(sandbox, UNPACKED_DIR);
    await rm(target, { recursive: true, force: true });
    const entries = await unpackArchive(
      download.path,
      target,
      { maxEntries: this.config.ingest.maxItems, maxBytes: unpackCeiling(download.size, ceiling) },
      signal,
    );
    const written = entries.filter((entry) => !entry.refused);
    // Only pictures: a comic in a plain .zip (or .rar, .7z), not a pack.
    if (
      written.length > 0 &&
      written.every((entry) => PICTURE_NAMES.test(entry.path) || /(^|\/)comicinfo\.xml$/i.test(entry.path))
    ) {
      await rm(target, { recursive: true, force: true });
      return { format: PICTURE_ARCHIVE, refused: [] };
    }
    const refused = entries
      .filter((entry) => entry.refused)
      .map((entry): IngestItem => ({
        path: '',
        name: entry.name.slice(0, 300),
        kind: 'other',
        size: entry.size,
        state: 'skipped',
        error: entry.refused,
      }));
    return { format, refused };
  }

  /** The items of the source in the sandbox, classified and laid out (nothing recorded yet). */
  async expand(
    task: IngestTask,
    sandbox: string,
    signal: AbortSignal,
    refused: IngestItem[] = [],
  ): Promise<IngestItem[]> {
    const download = task.download!;
    const unpacked = join(sandbox, UNPACKED_DIR);
    const root = download.unpacked && download.unpacked !== PICTURE_ARCHIVE ? unpacked : download.path;
    const files = (await stat(root)).isDirectory()
      ? await this.walk(root, refused.length)
      : [{ path: root, size: (await stat(root)).size }];
    const limit = pLimit(this.config.ingest.itemConcurrency);
    const items = await Promise.all(
      files.map((file) =>
        limit(async (): Promise<IngestItem> => {
          const name =
            root === file.path ? download.fileName : relative(root, file.path).split(sep).join('/');
          const classified =
            download.unpacked === PICTURE_ARCHIVE
              ? { kind: 'comic' as const }
              : await this.classifier.classify(file.path, basename(name), signal);
          return {
            path: relative(sandbox, file.path),
            name,
            kind: classified.kind,
            size: file.size,
            state: 'pending',
            probe: classified.probe,
            error: classified.kind === 'other' ? classified.reason : undefined,
          };
        }),
      ),
    );
    return layoutPack([...groupPictureFolders(items, sandbox), ...refused]);
  }

  /** Every regular file under `root`, in name order (symlinks and aria2's control files left out). */
  private async walk(root: string, already: number): Promise<{ path: string; size: number }[]> {
    const entries = (await readdir(root, { recursive: true, withFileTypes: true })) as Dirent[];
    const files = entries
      .filter((entry) => entry.isFile() && !entry.name.endsWith('.aria2'))
      .map((entry) => join(entry.parentPath, entry.name))
      .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    if (files.length + already > this.config.ingest.maxItems) {
      throw new TooManyItemsError(files.length + already, this.config.ingest.maxItems);
    }
    return Promise.all(files.map(async (path) => ({ path, size: (await stat(path)).size })));
  }
}

/**
 * In a source without videos or sound (a torrent of scanned chapters), each folder of pictures is one
 * comic item — the folder, read as a chapter — instead of one picture item per page.
 */
function groupPictureFolders(items: IngestItem[], sandbox: string): IngestItem[] {
  if (items.some((item) => item.kind === 'video' || item.kind === 'audio')) return items;
  const folders = new Map<string, IngestItem[]>();
  for (const item of items) {
    if (item.kind !== 'image' || !item.name.includes('/')) continue;
    const folder = item.name.slice(0, item.name.lastIndexOf('/'));
    folders.set(folder, [...(folders.get(folder) ?? []), item]);
  }
  const grouped = new Set<IngestItem>();
  const comics: IngestItem[] = [];
  for (const [folder, pictures] of folders) {
    if (pictures.length < 2) continue;
    for (const picture of pictures) grouped.add(picture);
    const first = pictures[0];
    comics.push({
      path: relative(sandbox, join(sandbox, first.path, '..')),
      name: folder,
      kind: 'comic',
      size: pictures.reduce((sum, picture) => sum + picture.size, 0),
      state: 'pending',
    });
  }
  return [...items.filter((item) => !grouped.has(item)), ...comics];
}
