import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorCodeFor } from '../../src/core/errors/error-body.js';

describe('error codes', () => {
  it('derives a snake_case code from the status', () => {
    assert.equal(errorCodeFor(400), 'bad_request');
    assert.equal(errorCodeFor(404), 'not_found');
    assert.equal(errorCodeFor(413), 'payload_too_large');
    assert.equal(errorCodeFor(429), 'too_many_requests');
    assert.equal(errorCodeFor(503), 'service_unavailable');
  });

  it('never reveals more than "internal_error" for server faults', () => {
    assert.equal(errorCodeFor(500), 'internal_error');
    assert.equal(errorCodeFor(507), 'internal_error');
  });
});
