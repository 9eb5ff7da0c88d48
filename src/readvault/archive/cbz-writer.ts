import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { once } from 'node:events';
import { crc32 } from 'node:zlib';

export interface CbzPage {
  /** The entry's name in the archive (`0001.jpg`). */
  name: string;
  /** Where its bytes are on disk. */
  path: string;
}

/** ZIP without ZIP64 records: a chapter's CBZ stays well under 4 GiB (the ingest size limit caps it). */
const MAX_ZIP_BYTES = 0xffff_ffff;

/**
 * Writes a CBZ that *stores* its pages (method 0, no recompression: images do not compress, and a
 * stored entry is read back by a byte range with no inflating) plus, optionally, a ComicInfo.xml.
 * Entries carry no extra fields, so each page's bytes start exactly 30 + name length bytes after its
 * local header: a reader finds them from the central directory alone.
 */
/** Where a page's bytes sit in the written CBZ: a reader reads them with one range, no directory. */
export interface CbzPageSpan {
  name: string;
  offset: number;
  size: number;
}

export async function writeCbz(
  target: string,
  pages: readonly CbzPage[],
  comicInfo?: string,
): Promise<CbzPageSpan[]> {
  const spans: CbzPageSpan[] = [];
  const out = createWriteStream(target);
  const central: Buffer[] = [];
  let offset = 0;
  const write = async (chunk: Buffer) => {
    offset += chunk.length;
    if (offset > MAX_ZIP_BYTES) throw new Error('the chapter is over 4 GiB; refused');
    if (!out.write(chunk)) await once(out, 'drain');
  };
  const entries: { name: string; bytes?: Buffer; path?: string }[] = pages.map((page) => ({ ...page }));
  if (comicInfo) entries.push({ name: 'ComicInfo.xml', bytes: Buffer.from(comicInfo, 'utf8') });
  try {
    for (const entry of entries) {
      const name = Buffer.from(entry.name, 'utf8');
      const size = entry.bytes ? entry.bytes.length : (await stat(entry.path!)).size;
      const crc = entry.bytes ? crc32(entry.bytes) : await fileCrc(entry.path!);
      const headerAt = offset;
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(20, 4); // version needed: 2.0
      local.writeUInt16LE(0x0800, 6); // UTF-8 names
      local.writeUInt16LE(0, 8); // stored
      local.writeUInt32LE(0x00210000, 10); // 1980-01-01 00:00 (a fixed time: the same pages, the same bytes)
      local.writeUInt32LE(crc, 14);
      local.writeUInt32LE(size, 18);
      local.writeUInt32LE(size, 22);
      local.writeUInt16LE(name.length, 26);
      await write(local);
      await write(name);
      if (!entry.bytes) spans.push({ name: entry.name, offset, size });
      if (entry.bytes) await write(entry.bytes);
      else for await (const chunk of createReadStream(entry.path!)) await write(chunk as Buffer);
      const record = Buffer.alloc(46);
      record.writeUInt32LE(0x02014b50, 0);
      record.writeUInt16LE(20, 4);
      record.writeUInt16LE(20, 6);
      record.writeUInt16LE(0x0800, 8);
      record.writeUInt16LE(0, 10);
      record.writeUInt32LE(0x00210000, 12);
      record.writeUInt32LE(crc, 16);
      record.writeUInt32LE(size, 20);
      record.writeUInt32LE(size, 24);
      record.writeUInt16LE(name.length, 28);
      record.writeUInt32LE(headerAt, 42);
      central.push(record, name);
    }
    const directory = Buffer.concat(central);
    const directoryAt = offset;
    await write(directory);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(entries.length, 8);
    end.writeUInt16LE(entries.length, 10);
    end.writeUInt32LE(directory.length, 12);
    end.writeUInt32LE(directoryAt, 16);
    await write(end);
  } finally {
    out.end();
    await once(out, 'close');
  }
  return spans;
}

async function fileCrc(path: string): Promise<number> {
  let crc = 0;
  for await (const chunk of createReadStream(path)) crc = crc32(chunk as Buffer, crc);
  return crc;
}
