import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { localReadConcurrency, ReadQueue } from '../../src/core/storage/read-queue.js';

describe('ReadQueue (orders local file operations ahead of the thread pool)', () => {
  it('runs at most its limit at once, and a stream’s first operation before waiting reads', () => {
    const queue = new ReadQueue(2);
    const started: string[] = [];
    const finish = new Map<string, () => void>();
    const job = (name: string) => (done: () => void) => {
      started.push(name);
      finish.set(name, done);
    };
    queue.run(false, job('read a1'));
    queue.run(false, job('read b1'));
    queue.run(false, job('read a2'));
    queue.run(false, job('read b2'));
    queue.run(true, job('open c'));
    assert.deepEqual(started, ['read a1', 'read b1']);
    assert.equal(queue.waiting, 3);

    finish.get('read a1')!();
    assert.deepEqual(started, ['read a1', 'read b1', 'open c']);
    finish.get('open c')!();
    finish.get('read b1')!();
    assert.deepEqual(started, ['read a1', 'read b1', 'open c', 'read a2', 'read b2']);
    assert.equal(queue.waiting, 0);
  });

  it('counts a job finished once, however often it says so', () => {
    const queue = new ReadQueue(1);
    const started: number[] = [];
    let finishFirst = () => {};
    queue.run(false, (done) => {
      started.push(1);
      finishFirst = done;
    });
    queue.run(false, () => started.push(2));
    queue.run(false, () => started.push(3));
    finishFirst();
    finishFirst();
    assert.deepEqual(started, [1, 2]); // job 2 holds the only slot: a second done() did not free another
  });

  it('runs twice as many local reads at once as there are CPUs, never more than the thread pool has', () => {
    assert.equal(localReadConcurrency(16, 2), 4);
    assert.equal(localReadConcurrency(16, 16), 16);
    assert.equal(localReadConcurrency(4, 8), 4);
    assert.equal(localReadConcurrency(16, 1), 2);
  });
});
