import { open } from 'node:fs/promises';

const SIGNATURES: [string, Buffer][] = [
  ['zip', Buffer.from([0x50, 0x4b, 0x03, 0x04])],
  ['rar', Buffer.from('Rar!\x1a\x07', 'latin1')],
  ['7z', Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])],
];
/** POSIX tar has no magic at the start: "ustar" sits at offset 257 of the first header. */
const TAR_MAGIC_OFFSET = 257;

/** The archive format of a file by its magic bytes (zip, rar, 7z, tar), or undefined for anything else. */
export async function archiveFormat(path: string): Promise<string | undefined> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(264);
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    const tar = bytesRead >= 262 && head.toString('latin1', TAR_MAGIC_OFFSET, 262) === 'ustar';
    if (tar) return 'tar';
    return SIGNATURES.find(
      ([, magic]) => bytesRead >= magic.length && head.subarray(0, magic.length).equals(magic),
    )?.[0];
  } finally {
    await file.close();
  }
}
