import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JobHandlerRegistry, JobHandlerRegistryError } from '../../src/core/queue/job-handler-registry.js';

const handler = (job: string, owner = 'SomeService.handle') => ({ job, owner, handle: async () => job });

describe('job handler registry', () => {
  it('maps every declared job to its one handler', async () => {
    const registry = new JobHandlerRegistry(['a', 'b'], [handler('a'), handler('b')]);
    assert.equal(registry.size, 2);
    assert.equal(await registry.get('b')?.({}, {} as never), 'b');
    assert.equal(registry.get('c'), undefined);
  });

  it('refuses to boot when a job has no handler', () => {
    assert.throws(() => new JobHandlerRegistry(['a', 'b'], [handler('a')]), {
      name: 'Error',
      message: 'job "b" has no handler',
    });
  });

  it('refuses two handlers for one job and handlers for undeclared jobs, naming them all', () => {
    assert.throws(
      () =>
        new JobHandlerRegistry(
          ['a'],
          [handler('a', 'X.one'), handler('a', 'Y.two'), handler('zzz', 'Z.three')],
        ),
      (error: Error) => {
        assert.ok(error instanceof JobHandlerRegistryError);
        assert.match(error.message, /Z\.three handles unknown job "zzz"/);
        assert.match(error.message, /job "a" has 2 handlers \(X\.one, Y\.two\)/);
        return true;
      },
    );
  });
});
