import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger } from '../../src/core/logging/create-logger.js';
import { requestContext } from '../../src/core/logging/request-context.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, destination };
}

describe('logger', () => {
  it('writes JSON lines carrying the role', () => {
    const { lines, destination } = capture();
    createLogger({ level: 'info', role: 'worker', destination }).info('hello');
    const line = JSON.parse(lines[0]);
    assert.equal(line.role, 'worker');
    assert.equal(line.msg, 'hello');
  });

  it('adds the request id to every line logged inside a request, once', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ level: 'info', role: 'manager', destination });
    requestContext.run({ reqId: 'req-42' }, () => logger.child({ context: 'x' }).warn('inside'));
    logger.info('outside');
    assert.equal(JSON.parse(lines[0]).reqId, 'req-42');
    assert.equal(lines[0].match(/"reqId"/g)?.length, 1);
    assert.equal(JSON.parse(lines[1]).reqId, undefined);
  });

  it('prints "[role] message" when pretty', () => {
    const { lines, destination } = capture();
    createLogger({ level: 'info', role: 'streamer', destination, pretty: true }).info('ready');
    assert.match(lines.join('\n'), /\[streamer\] ready/);
  });
});
