import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { archiveFormat } from '../../src/ingest/processing/archive-detector.js';
import { tempDir } from '../support/media.js';

describe('archive detection', () => {
  const dir = tempDir('sv-archive-');
  const file = (name: string, bytes: Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  };

  it('recognises zip, rar and 7z by their magic bytes, whatever the name', async () => {
    assert.equal(await archiveFormat(file('a.mkv', Buffer.from('PK\x03\x04rest', 'latin1'))), 'zip');
    assert.equal(await archiveFormat(file('b', Buffer.from('Rar!\x1a\x07\x01\x00', 'latin1'))), 'rar');
    assert.equal(
      await archiveFormat(file('c.mp4', Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4]))),
      '7z',
    );
  });

  it('leaves media and tiny files alone', async () => {
    assert.equal(
      await archiveFormat(file('d.mp4', Buffer.from('\x00\x00\x00\x20ftypisom', 'latin1'))),
      undefined,
    );
    assert.equal(await archiveFormat(file('e', Buffer.from('PK'))), undefined);
  });
});
