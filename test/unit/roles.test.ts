import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeRoles, modulesForRoles, parseRoles, Role, RoleParseError } from '../../src/app/roles.js';

describe('ROLE parsing', () => {
  it('defaults to all three roles', () => {
    assert.deepEqual(parseRoles(undefined), [Role.Manager, Role.Worker, Role.Streamer]);
    assert.deepEqual(parseRoles('all'), [Role.Manager, Role.Worker, Role.Streamer]);
  });

  it('accepts one role or a comma list in any order, case and spacing', () => {
    assert.deepEqual(parseRoles('worker'), [Role.Worker]);
    assert.deepEqual(parseRoles(' Streamer , manager,streamer'), [Role.Manager, Role.Streamer]);
  });

  it('rejects an unknown role naming the valid ones', () => {
    assert.throws(
      () => parseRoles('manager,cook'),
      (error: Error) => {
        assert.ok(error instanceof RoleParseError);
        assert.match(error.message, /unknown role "cook"/);
        assert.match(error.message, /manager, worker, streamer/);
        return true;
      },
    );
  });

  it('describes the full set as "all" and others as a canonical list', () => {
    assert.equal(describeRoles(parseRoles('streamer,worker,manager')), 'all');
    assert.equal(describeRoles(parseRoles('streamer,worker')), 'worker,streamer');
  });
});

describe('role table', () => {
  it('gives each role exactly its modules', () => {
    assert.deepEqual(modulesForRoles([Role.Worker]), ['library', 'ingest', 'readvault', 'music']);
    assert.deepEqual(modulesForRoles([Role.Streamer]), ['auth', 'library', 'stream', 'readvault', 'music']);
    assert.deepEqual(modulesForRoles([Role.Manager]), [
      'auth',
      'library',
      'ingest',
      'site',
      'bot',
      'admin',
      'readvault',
      'music',
      'franchise',
    ]);
  });

  it('unions roles without duplicates', () => {
    const all = modulesForRoles([Role.Manager, Role.Worker, Role.Streamer]);
    assert.equal(new Set(all).size, all.length);
    assert.equal(all.length, 10);
  });
});
