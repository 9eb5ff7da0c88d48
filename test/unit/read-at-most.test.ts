import assert from 'node:assert/strict';
import { type IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { BodyTooLargeError, readAtMost } from '../../src/ingest/source-policy/guarded-http.js';

const body = (...chunks: string[]) =>
  Readable.from(chunks.map((chunk) => Buffer.from(chunk))) as unknown as IncomingMessage;

describe('reading an answer up to a cap', () => {
  it('gives the whole body when it fits, the cap included', async () => {
    assert.equal((await readAtMost(body('ab', 'cd'), 4)).toString(), 'abcd');
  });

  it('stops at the first byte past the cap and destroys the stream', async () => {
    const stream = body('ab', 'cd', 'ef');
    await assert.rejects(readAtMost(stream, 3), BodyTooLargeError);
    assert.equal((stream as unknown as Readable).destroyed, true);
  });
});
