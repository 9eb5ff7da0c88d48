import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { retryUntilDone } from '../../src/core/util/retry-until-done.js';

describe('retryUntilDone (boot-time work that waits for the database)', () => {
  it('runs the task again after a failure, reporting it, until it succeeds', async () => {
    const errors: string[] = [];
    let calls = 0;
    await retryUntilDone(
      async () => {
        calls++;
        if (calls === 1) throw new Error('not yet');
      },
      () => false,
      (error) => errors.push(error.message),
    );
    assert.equal(calls, 2);
    assert.deepEqual(errors, ['not yet']);
  });

  it('does nothing once the process is stopping, and reports no failure then', async () => {
    let calls = 0;
    await retryUntilDone(
      async () => void calls++,
      () => true,
      () => assert.fail('no report'),
    );
    assert.equal(calls, 0);
    let stopping = false;
    const errors: string[] = [];
    await retryUntilDone(
      async () => {
        stopping = true;
        throw new Error('shutting down');
      },
      () => stopping,
      (error) => errors.push(error.message),
    );
    assert.deepEqual(errors, []);
  });
});
