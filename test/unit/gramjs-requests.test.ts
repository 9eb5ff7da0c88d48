import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Api } from 'telegram';
import { buildGetFileRequest } from '../../src/core/storage/telegram/gramjs-requests.js';

describe('gramjs request building', () => {
  it('builds upload.GetFile for a document block with exact offset, limit and file reference', () => {
    const reference = Buffer.from([1, 2, 3, 250]);
    const request = buildGetFileRequest(
      {
        dcId: 4,
        id: '5123456789012345678',
        accessHash: '-4123456789012345678',
        fileReference: reference.toString('base64'),
        size: 10,
      },
      3 * 1024 * 1024,
      1024 * 1024,
    );
    assert.ok(request instanceof Api.upload.GetFile);
    assert.equal(request.offset.toString(), String(3 * 1024 * 1024));
    assert.equal(request.limit, 1024 * 1024);
    assert.equal(request.precise, false);
    assert.equal(request.cdnSupported, false);
    const location = request.location as Api.InputDocumentFileLocation;
    assert.ok(location instanceof Api.InputDocumentFileLocation);
    assert.equal(location.id.toString(), '5123456789012345678');
    assert.equal(location.accessHash.toString(), '-4123456789012345678');
    assert.ok(Buffer.from(location.fileReference).equals(reference));
    assert.equal(location.thumbSize, '');
  });
});
