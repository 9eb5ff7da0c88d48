/** One entry of a ZIP's central directory, as much as a reader of stored pages needs. */
export interface ZipEntryInfo {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  compressedSize: number;
  size: number;
  /** Where its local header starts. */
  headerOffset: number;
}

/** The end-of-central-directory record is 22 bytes plus a comment of at most 65,535. */
export const ZIP_TAIL_BYTES = 22 + 0xffff;
const END_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
export const LOCAL_HEADER_BYTES = 30;

export class ZipFormatError extends Error {
  override name = 'ZipFormatError';
}

/** Where the central directory is, from the last bytes of the archive (`tail` ends at the archive's end). */
export function findCentralDirectory(tail: Buffer, archiveSize: number): { offset: number; size: number } {
  for (let at = tail.length - 22; at >= 0; at--) {
    if (tail.readUInt32LE(at) !== END_SIGNATURE) continue;
    const size = tail.readUInt32LE(at + 12);
    const offset = tail.readUInt32LE(at + 16);
    if (offset === 0xffffffff || size === 0xffffffff)
      throw new ZipFormatError('ZIP64 archives are not read here');
    if (offset + size > archiveSize) continue; // a signature inside the comment, not the record
    return { offset, size };
  }
  throw new ZipFormatError('no ZIP end record: not a ZIP archive, or a damaged one');
}

/** The entries of a central directory (`directory` holds exactly its bytes). */
export function parseCentralDirectory(directory: Buffer): ZipEntryInfo[] {
  const entries: ZipEntryInfo[] = [];
  let at = 0;
  while (at + 46 <= directory.length) {
    if (directory.readUInt32LE(at) !== CENTRAL_SIGNATURE) throw new ZipFormatError('a damaged ZIP directory');
    const flags = directory.readUInt16LE(at + 8);
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    const nameBytes = directory.subarray(at + 46, at + 46 + nameLength);
    entries.push({
      name: nameBytes.toString(flags & 0x0800 ? 'utf8' : 'latin1'),
      method: directory.readUInt16LE(at + 10),
      compressedSize: directory.readUInt32LE(at + 20),
      size: directory.readUInt32LE(at + 24),
      headerOffset: directory.readUInt32LE(at + 42),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Where an entry's data starts, from its local header (whose name and extra lengths may differ from the directory's). */
export function dataOffset(localHeader: Buffer, entry: ZipEntryInfo): number {
  if (localHeader.readUInt32LE(0) !== 0x04034b50) throw new ZipFormatError('a damaged ZIP entry header');
  return (
    entry.headerOffset + LOCAL_HEADER_BYTES + localHeader.readUInt16LE(26) + localHeader.readUInt16LE(28)
  );
}
