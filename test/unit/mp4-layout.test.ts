import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { indexAfterData } from '../../src/music/mp4/mp4-layout.js';

/** A box: 32-bit size, type, payload (or a 64-bit size when `large`). */
function box(type: string, payload: number, large = false): Buffer {
  if (large) {
    const head = Buffer.alloc(16);
    head.writeUInt32BE(1, 0);
    head.write(type, 4, 'latin1');
    head.writeBigUInt64BE(BigInt(16 + payload), 8);
    return Buffer.concat([head, Buffer.alloc(payload)]);
  }
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + payload, 0);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, Buffer.alloc(payload)]);
}

function layout(...boxes: Buffer[]) {
  const file = Buffer.concat(boxes);
  const reads: number[] = [];
  const readAt = async (offset: number, length: number) => {
    reads.push(offset);
    return file.subarray(offset, offset + length);
  };
  return { answer: () => indexAfterData(readAt, file.length), reads };
}

describe('MP4 layout: is the index (moov) after the data (mdat)?', () => {
  it('says yes for ffmpeg’s default layout, reading only box headers', async () => {
    const file = layout(box('ftyp', 20), box('free', 0), box('mdat', 5000), box('moov', 300));
    assert.equal(await file.answer(), true);
    assert.deepEqual(file.reads, [0, 28, 36], 'three 16-byte reads, none into the data');
  });

  it('says no when the index comes first (faststart)', async () => {
    assert.equal(await layout(box('ftyp', 20), box('moov', 300), box('mdat', 5000)).answer(), false);
  });

  it('follows 64-bit box sizes', async () => {
    assert.equal(await layout(box('ftyp', 20), box('mdat', 70000, true), box('moov', 30)).answer(), true);
  });

  it('says no for what is not MP4, and for damaged sizes, without looping', async () => {
    assert.equal(await layout(Buffer.from('ID3\u0004 not an mp4 file at all')).answer(), false);
    assert.equal(
      await layout(box('ftyp', 20), Buffer.from([0, 0, 0, 3, 0x66, 0x72, 0x65, 0x65])).answer(),
      false,
    );
    assert.equal(await layout(box('ftyp', 20)).answer(), false);
  });
});
