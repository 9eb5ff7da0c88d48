import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { Logger } from '@nestjs/common';
import { BootDataJob } from '../../src/core/util/boot-data-job.js';
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

describe('BootDataJob (a migration or backfill started at boot)', () => {
  class FlakyJob extends BootDataJob {
    protected readonly logger = new Logger('test');
    protected readonly task = 'fill things in';
    readonly logged: string[] = [];
    calls = 0;

    constructor(private readonly failures: number) {
      super();
      mock.method(this.logger, 'error', (message: string) => this.logged.push(message));
    }

    async run(): Promise<number> {
      this.calls++;
      if (this.calls <= this.failures) throw new Error('database not answering');
      return 0;
    }
  }

  it('runs in the background at boot and again after a failure, saying what it could not do yet', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const job = new FlakyJob(1);
    job.onApplicationBootstrap();
    await waitFor(() => job.logged.length === 1);
    assert.deepEqual(job.logged, ['could not fill things in yet: database not answering; retrying']);
    t.mock.timers.tick(1000);
    await waitFor(() => job.calls === 2);
    job.onApplicationShutdown();
  });

  it('stops retrying once the process shuts down', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const job = new FlakyJob(Infinity);
    job.onApplicationBootstrap();
    await waitFor(() => job.calls === 1);
    job.onApplicationShutdown();
    t.mock.timers.tick(60_000);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(job.calls, 1);
  });
});

/** Lets pending promise callbacks run until `done` holds (the job runs in the background). */
async function waitFor(done: () => boolean): Promise<void> {
  for (let turn = 0; !done(); turn++) {
    if (turn > 100) assert.fail('the job did not get there');
    await new Promise((resolve) => setImmediate(resolve));
  }
}
