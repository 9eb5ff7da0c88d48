import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { type ArgumentsHost, Logger, type LoggerService } from '@nestjs/common';
import { AllExceptionsFilter } from '../../src/core/errors/all-exceptions.filter.js';

/** A host whose response records what the filter did with it. */
function hostWith(res: { destroyed: boolean; headersSent: boolean }) {
  const did: string[] = [];
  const response = {
    ...res,
    destroy: () => did.push('destroy'),
    status: (code: number) => (did.push(`status ${code}`), response),
    json: () => did.push('json'),
    setHeader: () => undefined,
  };
  const host = {
    switchToHttp: () => ({ getRequest: () => ({ headers: {}, path: '/x' }), getResponse: () => response }),
  } as unknown as ArgumentsHost;
  return { host, did };
}

describe('AllExceptionsFilter', () => {
  const errors: unknown[] = [];
  const capture: LoggerService = {
    log: () => undefined,
    warn: () => undefined,
    error: (message: unknown) => void errors.push(message),
  };
  Logger.overrideLogger(capture);
  after(() => Logger.overrideLogger(false));

  it('says nothing about a streamed answer whose reader went away (a cancelled download)', () => {
    errors.length = 0;
    const gone = Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
    const { host, did } = hostWith({ destroyed: true, headersSent: true });
    new AllExceptionsFilter().catch(gone, host);
    assert.deepEqual(errors, []);
    assert.deepEqual(did, []);
  });

  it('still logs a failure mid-answer as an error, and cuts the connection', () => {
    errors.length = 0;
    const { host, did } = hostWith({ destroyed: false, headersSent: true });
    new AllExceptionsFilter().catch(new Error('storage failed'), host);
    assert.equal(errors.length, 1);
    assert.deepEqual(did, ['destroy']);
  });
});
