import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type WebSocket } from 'ws';
import { CLOSE, MAX_UNSENT_BYTES, PartyConnection } from '../../src/site/party/party-connection.js';

/** A socket that records what it was given, with as many bytes waiting unsent as told. */
function socketWithUnsent(bufferedAmount: number) {
  const sent: string[] = [];
  const closed: [number, string][] = [];
  const socket = {
    OPEN: 1,
    readyState: 1,
    bufferedAmount,
    send: (text: string) => void sent.push(text),
    close: (code: number, reason: string) => void closed.push([code, reason]),
  };
  return { socket: socket as unknown as WebSocket, sent, closed };
}

describe('a watch-party connection', () => {
  it('sends while what waits unsent stays under 1 MiB', () => {
    const { socket, sent, closed } = socketWithUnsent(MAX_UNSENT_BYTES);
    new PartyConnection(socket, 'room', 'member', 'Ann', 0).send('state', { position: 1 });
    assert.deepEqual(sent, [JSON.stringify({ event: 'state', data: { position: 1 } })]);
    assert.deepEqual(closed, []);
  });

  it('closes a member that stopped reading instead of piling up its messages', () => {
    const { socket, sent, closed } = socketWithUnsent(MAX_UNSENT_BYTES + 1);
    const connection = new PartyConnection(socket, 'room', 'member', 'Ann', 0);
    connection.send('state', { position: 1 });
    connection.send('state', { position: 2 });
    assert.deepEqual(sent, []);
    assert.deepEqual(closed, [[CLOSE.notReading, 'not reading']]);
  });
});
