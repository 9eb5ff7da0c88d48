import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Aria2Launch, aria2Arguments, NO_DIRECT } from '../../src/ingest/engines/aria2/aria2.engine.js';

const launch: Aria2Launch = {
  rpcPort: 6800,
  rpcSecret: 'secret',
  parentPid: 1234,
  dir: '/data/downloads/task',
  proxy: 'http://127.0.0.1:40000',
  direct: NO_DIRECT,
};

/** The value aria2c gets for `--name` (the last one wins in aria2, so there must be exactly one). */
function option(args: string[], name: string): string | undefined {
  const given = args.filter((arg) => arg.startsWith(`--${name}=`));
  assert.ok(given.length <= 1, `--${name} given once`);
  return given[0]?.slice(name.length + 3);
}

describe('aria2c arguments', () => {
  it('sends every http(s) request (trackers, .torrent, web seeds) through the guarded proxy', () => {
    assert.equal(option(aria2Arguments(launch), 'all-proxy'), 'http://127.0.0.1:40000');
  });

  it('by default sends nothing past the proxy but peer connections: no DHT, no UDP trackers, no LAN discovery', () => {
    const args = aria2Arguments(launch);
    // aria2 announces to UDP trackers from its DHT socket, only with DHT on.
    assert.equal(option(args, 'enable-dht'), 'false');
    assert.equal(option(args, 'enable-dht6'), 'false');
    assert.equal(option(args, 'bt-enable-lpd'), 'false');
    assert.equal(option(args, 'enable-peer-exchange'), 'false');
  });

  it('turns on DHT (and with it UDP trackers) or local peer discovery only when the operator names them', () => {
    const dht = aria2Arguments({ ...launch, direct: { dht: true, lpd: false } });
    assert.deepEqual(
      [option(dht, 'enable-dht'), option(dht, 'enable-dht6'), option(dht, 'bt-enable-lpd')],
      ['true', 'true', 'false'],
    );
    const lpd = aria2Arguments({ ...launch, direct: { dht: false, lpd: true } });
    assert.deepEqual(
      [option(lpd, 'enable-dht'), option(lpd, 'enable-dht6'), option(lpd, 'bt-enable-lpd')],
      ['false', 'false', 'true'],
    );
  });

  it('keeps the RPC on loopback behind its secret, following the worker process', () => {
    const args = aria2Arguments(launch);
    assert.equal(option(args, 'rpc-listen-all'), 'false');
    assert.equal(option(args, 'rpc-listen-port'), '6800');
    assert.equal(option(args, 'rpc-secret'), 'secret');
    assert.equal(option(args, 'stop-with-process'), '1234');
    assert.ok(args.includes('--no-conf'), 'no ~/.aria2/aria2.conf can turn DHT back on');
  });
});
