import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../support/paths.js';

const run = promisify(execFile);
const SCENARIO = join(PROJECT_ROOT, '.build', 'test', 'support', 'aria2-tracker-scenario.js');

interface Seen {
  udpDatagrams: number;
  httpAnnounces: number;
  first: string;
  proxyChecked: string[];
}

/**
 * aria2 inside a network namespace with only loopback, where two TEST-NET addresses stand in for
 * public trackers: one UDP, one http. Which of them it talks to, and how, is what a hostile magnet
 * can make a worker send.
 */
async function runScenario(direct: string): Promise<Seen> {
  const { stdout } = await run(
    'unshare',
    [
      '-n',
      'sh',
      '-c',
      'ip link set lo up && ip addr add 203.0.113.5/32 dev lo && ip addr add 198.51.100.7/32 dev lo' +
        ` && exec "${process.execPath}" "${SCENARIO}" "${direct}"`,
    ],
    { timeout: 60_000 },
  );
  return JSON.parse(stdout) as Seen;
}

describe('aria2 and torrent trackers, inside a network namespace', () => {
  const skip = process.getuid?.() !== 0 && 'needs root for unshare -n';

  it(
    'by default sends no UDP tracker request and asks http trackers through the guarded proxy',
    { skip },
    async () => {
      const seen = await runScenario('');
      // The UDP tracker is the magnet's first tier: reaching the second means the first was passed over.
      assert.equal(seen.first, 'http');
      assert.equal(seen.udpDatagrams, 0, 'no datagram to the UDP tracker');
      assert.equal(seen.httpAnnounces, 1);
      assert.ok(seen.proxyChecked.includes('198.51.100.7:8080'), 'the http announce passed the guard');
    },
  );

  it(
    'announces to the UDP tracker directly once the operator enables dht (so the check above can fail)',
    { skip },
    async () => {
      const seen = await runScenario('dht');
      assert.equal(seen.first, 'udp');
      assert.ok(seen.udpDatagrams >= 1);
      assert.ok(!seen.proxyChecked.includes('203.0.113.5:6969'), 'UDP never passes the proxy');
    },
  );
});
