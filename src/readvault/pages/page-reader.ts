import { buffer } from 'node:stream/consumers';
import { Inject, Injectable } from '@nestjs/common';
import { MEDIA_STORE, type MediaStore } from '../../core/storage/media-store.js';
import { type MediaFile } from '../../library/schemas/media-file.schema.js';
import {
  dataOffset,
  findCentralDirectory,
  LOCAL_HEADER_BYTES,
  parseCentralDirectory,
  ZIP_TAIL_BYTES,
  type ZipEntryInfo,
  ZipFormatError,
} from '../archive/zip-directory.js';

/** Central directories kept in memory (a few KB each): the chapters being read right now. */
const DIRECTORY_CACHE_ENTRIES = 500;

/**
 * Reads one page of a stored CBZ without fetching the archive: the central directory is read once
 * per file (two ranged reads of its end, then cached), and each page is then one ranged read of its
 * local header and bytes — on Telegram storage one or two aligned block reads through the stream
 * engine. The CBZs ReadVault writes store their pages, so the bytes read are the image itself.
 */
@Injectable()
export class PageReader {
  private readonly directories = new Map<string, Promise<Map<string, ZipEntryInfo>>>();

  constructor(@Inject(MEDIA_STORE) private readonly store: MediaStore) {}

  /**
   * A page whose place in the CBZ was recorded at ingest: one ranged read, no central directory (on
   * Telegram the first page of a chapter costs one block read, not two or three).
   */
  async readSpan(file: MediaFile, offset: number, size: number): Promise<Buffer> {
    if (size === 0) return Buffer.alloc(0);
    return this.range(file, offset, offset + size - 1);
  }

  async read(file: MediaFile, entryName: string): Promise<Buffer> {
    const directory = await this.directory(file);
    const entry = directory.get(entryName);
    if (!entry) throw new ZipFormatError(`the archive has no entry ${entryName}`);
    if (entry.method !== 0) throw new ZipFormatError(`entry ${entryName} is compressed; pages are stored`);
    // Our entries carry no extra field: header and bytes in one read (another when a writer added one).
    const nameBytes = Buffer.byteLength(entry.name, 'utf8');
    const guess = entry.headerOffset + LOCAL_HEADER_BYTES + nameBytes;
    const head = await this.range(file, entry.headerOffset, guess + entry.compressedSize - 1);
    const start = dataOffset(head, entry);
    if (start === guess) return head.subarray(start - entry.headerOffset);
    return this.range(file, start, start + entry.compressedSize - 1);
  }

  /** Forgets the directories of deleted files (or every one: `undefined`). */
  forget(fileIds: readonly string[] | undefined): void {
    if (!fileIds) return this.directories.clear();
    for (const id of fileIds) this.directories.delete(id);
  }

  private directory(file: MediaFile): Promise<Map<string, ZipEntryInfo>> {
    const key = String(file._id);
    let cached = this.directories.get(key);
    if (cached) {
      this.directories.delete(key); // most recently used goes last
      this.directories.set(key, cached);
      return cached;
    }
    cached = this.readDirectory(file);
    cached.catch(() => this.directories.delete(key));
    this.directories.set(key, cached);
    while (this.directories.size > DIRECTORY_CACHE_ENTRIES) {
      this.directories.delete(this.directories.keys().next().value!);
    }
    return cached;
  }

  private async readDirectory(file: MediaFile): Promise<Map<string, ZipEntryInfo>> {
    const tailStart = Math.max(0, file.size - ZIP_TAIL_BYTES);
    const tail = await this.range(file, tailStart, file.size - 1);
    const { offset, size } = findCentralDirectory(tail, file.size);
    // Usually the directory is inside the tail already read.
    const directory =
      offset >= tailStart
        ? tail.subarray(offset - tailStart, offset - tailStart + size)
        : await this.range(file, offset, offset + size - 1);
    return new Map(parseCentralDirectory(directory).map((entry) => [entry.name, entry]));
  }

  private async range(file: MediaFile, start: number, endInclusive: number): Promise<Buffer> {
    return buffer(this.store.read(file.storage.parts, start, Math.min(endInclusive, file.size - 1)));
  }
}
