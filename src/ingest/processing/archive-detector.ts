import { open } from 'node:fs/promises';

const SIGNATURES: [string, Buffer][] = [
  ['zip', Buffer.from([0x50, 0x4b, 0x03, 0x04])],
  ['rar', Buffer.from('Rar!\x1a\x07', 'latin1')],
  ['7z', Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])],
];

/** The archive format of a file by its magic bytes (zip, rar, 7z), or undefined for anything else. */
export async function archiveFormat(path: string): Promise<string | undefined> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(8);
    const { bytesRead } = await file.read(head, 0, 8, 0);
    return SIGNATURES.find(
      ([, magic]) => bytesRead >= magic.length && head.subarray(0, magic.length).equals(magic),
    )?.[0];
  } finally {
    await file.close();
  }
}
