/** Reads `length` bytes at `offset` (fewer at the end): a local file or a stored one, by range. */
export type ReadAt = (offset: number, length: number) => Promise<Buffer>;

/** Suffixes of MP4-family audio (M4A/AAC/ALAC): the files whose index (`moov`) may sit at the end. */
export const MP4_SUFFIXES: ReadonlySet<string> = new Set(['m4a', 'm4b', 'mp4', 'alac']);

/** Top-level boxes looked at before giving up (files put `ftyp`, `free`, `wide`, ... before the rest). */
const MAX_BOXES = 32;

/**
 * Whether an MP4 file's sample data (`mdat`) comes before its index (`moov`) — ffmpeg's default when
 * it writes a file, and what a reader from a pipe cannot play (it would have to seek back). Walks the
 * top-level boxes by their sizes: a few reads of 16 bytes, never the data. False for a file that is
 * not MP4 or whose index comes first.
 */
export async function indexAfterData(readAt: ReadAt, size: number): Promise<boolean> {
  let offset = 0;
  for (let box = 0; box < MAX_BOXES && offset + 8 <= size; box++) {
    const head = await readAt(offset, 16);
    if (head.length < 8) return false;
    const type = head.toString('latin1', 4, 8);
    if (box === 0 && type !== 'ftyp') return false;
    if (type === 'moov') return false;
    if (type === 'mdat') return true;
    const short = head.readUInt32BE(0);
    const length = short === 1 && head.length >= 16 ? Number(head.readBigUInt64BE(8)) : short;
    if (length < 8) return false; // 0 (to the end) or damaged: nothing more to find
    offset += length;
  }
  return false;
}
