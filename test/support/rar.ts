import { crc32 } from 'node:zlib';

export interface RarEntry {
  name: string;
  content: Buffer;
}

/**
 * A RAR 4 archive built byte by byte, its files stored (method 0x30, no compression: the RAR
 * compressor is not free software, and stored entries are what comic packs mostly are anyway).
 * `encrypted` marks every file as password-protected, as `rar -p` does, with its bytes scrambled.
 */
export function makeRar(entries: RarEntry[], options: { encrypted?: boolean } = {}): Buffer {
  const blocks: Buffer[] = [Buffer.from('Rar!\x1a\x07\x00', 'latin1')];
  blocks.push(block(0x73, 0, Buffer.alloc(6))); // main header: two reserved fields
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const data = options.encrypted
      ? Buffer.from(entry.content.map((byte, n) => byte ^ (0x5a + n)))
      : entry.content;
    const fields = Buffer.alloc(25);
    fields.writeUInt32LE(data.length, 0); // packed size
    fields.writeUInt32LE(entry.content.length, 4); // unpacked size
    fields.writeUInt8(3, 8); // host OS: Unix
    fields.writeUInt32LE(crc32(entry.content), 9);
    fields.writeUInt32LE(dosTime(new Date(2024, 0, 1)), 13);
    fields.writeUInt8(20, 17); // version needed: 2.0
    fields.writeUInt8(0x30, 18); // method: store
    fields.writeUInt16LE(name.length, 19);
    fields.writeUInt32LE(0o100644 << 0, 21); // attributes: a regular file
    // 0x8000: a data area follows the header; 0x0004: encrypted with a password.
    const flags = 0x8000 | (options.encrypted ? 0x0004 : 0) | 0x0200; // 0x0200: UTF-8 name
    blocks.push(block(0x74, flags, Buffer.concat([fields, name])), data);
  }
  blocks.push(block(0x7b, 0x4000, Buffer.alloc(0))); // end of archive
  return Buffer.concat(blocks);
}

/** One header: CRC16 (low half of the CRC-32 of what follows it), type, flags, size, fields. */
function block(type: number, flags: number, fields: Buffer): Buffer {
  const head = Buffer.alloc(7);
  head.writeUInt8(type, 2);
  head.writeUInt16LE(flags, 3);
  head.writeUInt16LE(7 + fields.length, 5);
  const header = Buffer.concat([head, fields]);
  header.writeUInt16LE(crc32(header.subarray(2)) & 0xffff, 0);
  return header;
}

function dosTime(date: Date): number {
  return (
    (((date.getFullYear() - 1980) << 25) |
      ((date.getMonth() + 1) << 21) |
      (date.getDate() << 16) |
      (date.getHours() << 11) |
      (date.getMinutes() << 5) |
      Math.floor(date.getSeconds() / 2)) >>>
    0
  );
}
