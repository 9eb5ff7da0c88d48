import { open } from 'node:fs/promises';

/**
 * The order of an MP4's top-level boxes. A file whose `moov` (the index) comes after `mdat` (the
 * media) cannot start playing until it is fully downloaded; `+faststart` moves `moov` to the front.
 */
export async function topLevelBoxes(path: string): Promise<string[]> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const boxes: string[] = [];
    const header = Buffer.alloc(16);
    for (let offset = 0; offset + 8 <= size && boxes.length < 64;) {
      const { bytesRead } = await file.read(header, 0, 16, offset);
      if (bytesRead < 8) break;
      let boxSize = header.readUInt32BE(0);
      const type = header.toString('latin1', 4, 8);
      if (!/^[\x20-\x7e]{4}$/.test(type)) break;
      if (boxSize === 1 && bytesRead >= 16) boxSize = Number(header.readBigUInt64BE(8));
      else if (boxSize === 0) boxSize = size - offset;
      if (boxSize < 8) break;
      boxes.push(type);
      offset += boxSize;
    }
    return boxes;
  } finally {
    await file.close();
  }
}

export async function needsFaststart(path: string): Promise<boolean> {
  const boxes = await topLevelBoxes(path);
  const moov = boxes.indexOf('moov');
  const mdat = boxes.indexOf('mdat');
  return moov !== -1 && mdat !== -1 && moov > mdat;
}
