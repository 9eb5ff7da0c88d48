import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyedSerial } from '../../src/core/util/keyed-serial.js';

const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('KeyedSerial', () => {
  it('finishes the tasks of one key in the order they were queued, even when the first is slower', async () => {
    const serial = new KeyedSerial();
    const done: string[] = [];
    await Promise.all([
      serial.run('reader', async () => {
        await later(30);
        done.push('page 2');
      }),
      serial.run('reader', async () => {
        done.push('page 3');
      }),
    ]);
    assert.deepEqual(done, ['page 2', 'page 3']);
  });

  it('lets other keys run meanwhile, goes on after a failure and forgets finished keys', async () => {
    const serial = new KeyedSerial();
    const done: string[] = [];
    const slow = serial.run('a', async () => {
      await later(30);
      throw new Error('write failed');
    });
    const after = serial.run('a', async () => done.push('a after the failure'));
    await serial.run('b', async () => done.push('b'));
    assert.deepEqual(done, ['b']);
    await assert.rejects(slow, /write failed/);
    await after;
    assert.deepEqual(done, ['b', 'a after the failure']);
    await later(0);
    assert.equal(serial.pending, 0);
  });
});
