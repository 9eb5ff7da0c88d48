import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { type Request, type Response } from 'express';
import { SseConnections } from '../../src/admin/live/sse-connections.js';

/** Just enough of a request and a response for an event stream. */
function exchange() {
  const req = new EventEmitter() as unknown as Request;
  const written: string[] = [];
  const res = Object.assign(new EventEmitter(), {
    status: () => res,
    setHeader: () => res,
    flushHeaders: () => undefined,
    write: (chunk: string) => written.push(chunk),
    end: () => res.emit('close'),
  }) as unknown as Response;
  return { req, res, written };
}

/** Streams whose access checks would ask a (here absent) database: these tests never tick. */
const connections = () => new SseConnections({ current: () => Promise.resolve(undefined) } as never);

describe('panel event streams', () => {
  it('runs a close listener once when the client goes away', () => {
    const { req, res } = exchange();
    const stream = connections().start(req, res);
    let closes = 0;
    stream.onClose(() => closes++);
    req.emit('close');
    res.emit('close');
    assert.equal(closes, 1);
  });

  it('runs a listener added after the client left at once (nothing it would undo is left behind)', () => {
    const { req, res, written } = exchange();
    const stream = connections().start(req, res);
    req.emit('close');
    let closes = 0;
    stream.onClose(() => closes++);
    assert.equal(closes, 1);
    const before = written.length;
    stream.send('line', { text: 'late' });
    assert.equal(written.length, before, 'nothing is written to a stream that closed');
  });
});
