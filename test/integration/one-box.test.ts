import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { canConnect, freePort } from '../../scripts/lib/net.mjs';
import { OneBox } from '../../scripts/lib/one-box.mjs';
import { startRedis } from '../../scripts/lib/processes.mjs';
import { tempDir } from '../support/media.js';

/** Field 5 of /proc/<pid>/stat: the process group Ctrl+C at a terminal signals as a whole. */
function processGroup(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

/** A stand-in for the app: listens on `port`; on SIGTERM/SIGINT it still uses its database for a while. */
function fakeApp(port: number, databasePort: number): string {
  return `
    const net = require('node:net');
    net.createServer().listen(${port}, '127.0.0.1');
    const stop = () => setTimeout(() => {
      const socket = net.connect(${databasePort}, '127.0.0.1');
      socket.once('connect', () => process.exit(0));
      socket.once('error', () => process.exit(3));
    }, 300);
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  `;
}

describe('the processes `npm run quickstart` runs', () => {
  const boxes: OneBox[] = [];
  after(() => Promise.all(boxes.map((box) => box.stop())));

  it('starts its databases outside the terminal process group, so Ctrl+C reaches the app only', async () => {
    const box = new OneBox();
    boxes.push(box);
    const redis = box.add(await startRedis({ dir: tempDir('sv-one-box-'), ownProcessGroup: true }));
    assert.notEqual(processGroup(redis.child.pid!), processGroup(process.pid));
    await box.stop();
  });

  it('stops the app first and its databases only once it has exited: it still uses them while it stops', async () => {
    const box = new OneBox();
    boxes.push(box);
    const redis = box.add(await startRedis({ dir: tempDir('sv-one-box-'), ownProcessGroup: true }));
    const port = await freePort();
    const app = await box.startApp(process.execPath, ['-e', fakeApp(port, redis.port)], {
      port,
      bootTimeoutMs: 10000,
      stdio: 'ignore',
    });
    await box.stop('SIGINT');
    assert.deepEqual(await app.exit, { code: 0, signal: null }, 'the database answered the app to the end');
    assert.equal(redis.isAlive(), false);
  });

  it('stops the app too when it does not listen within the boot timeout, leaving nothing running', async () => {
    const box = new OneBox();
    boxes.push(box);
    const redis = box.add(await startRedis({ dir: tempDir('sv-one-box-'), ownProcessGroup: true }));
    const port = await freePort();
    await assert.rejects(
      box.startApp(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
        port,
        bootTimeoutMs: 500,
        stdio: 'ignore',
      }),
      /nothing listened on 127\.0\.0\.1:\d+ within 500 ms/,
    );
    await box.stop();
    assert.equal(box.app?.isAlive(), false, 'the app is stopped');
    assert.equal(redis.isAlive(), false, 'the database is stopped');
    assert.equal(await canConnect('127.0.0.1', redis.port), false);
  });
});
