import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runApp, startApp } from '../support/app-process.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';

describe('bad configuration stops the process with one clear line', () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ['ROLE=cook', { ROLE: 'cook' }, /ROLE: unknown role "cook"; valid roles are manager, worker, streamer/],
    ['PORT=abc', { PORT: 'abc' }, /PORT: must be a whole number \(got "abc"\)/],
    ['a malformed MONGODB_URI', { MONGODB_URI: 'mongodb://a:b@' }, /MONGODB_URI: /],
    [
      'a missing SECRET_KEY in production',
      { SECRET_KEY: '' },
      /SECRET_KEY: required when NODE_ENV=production/,
    ],
  ];
  for (const [name, env, expected] of cases) {
    it(`${name} → exit 1, the variable named, no stack trace`, async () => {
      const app = runApp(env);
      const { code } = await app.exit;
      assert.equal(code, 1);
      const stderr = app.stderr();
      assert.match(stderr, expected);
      assert.equal(stderr.trim().split('\n').length, 1, stderr);
      assert.doesNotMatch(stderr + app.stdout(), /^\s+at /m);
    });
  }
});

describe('a running app', () => {
  let db: TestDatabase;
  before(async () => {
    db = await startTestDatabase();
  });
  after(() => db?.stop());

  it('exits 0 on SIGTERM, well inside 10 s', async () => {
    const app = await startApp({ ROLE: 'all', MONGODB_URI: db.uri });
    assert.equal((await app.get('/healthz')).status, 200);
    const deadline = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), 10000).unref());
    app.child.kill('SIGTERM');
    const result = await Promise.race([app.exit, deadline]);
    await app.stop('SIGKILL');
    assert.notEqual(result, 'late', 'still running 10 s after SIGTERM');
    assert.deepEqual(result, { code: 0, signal: null });
    assert.match(app.stdout(), /shutdown complete/);
  });

  it('answers errors as JSON and tags every log line with the role and request id', async () => {
    const app = await startApp({ ROLE: 'streamer', MONGODB_URI: db.uri });
    try {
      const res = await app.get('/no/such/route', { headers: { 'X-Request-Id': 'trace-me-123' } });
      assert.equal(res.status, 404);
      assert.equal(res.headers.get('x-request-id'), 'trace-me-123');
      assert.deepEqual(await res.json(), { error: 'not_found', message: 'Cannot GET /no/such/route' });

      const generated = await app.get('/healthz', { headers: { 'X-Request-Id': 'bad id with spaces' } });
      assert.match(generated.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    } finally {
      await app.stop();
    }
    const lines = app
      .stdout()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.ok(
      lines.every((line) => line.role === 'streamer'),
      'a log line without role',
    );
    const request = lines.find((line) => line.reqId === 'trace-me-123');
    assert.ok(request, 'no log line for the request');
    assert.deepEqual(request.res, { statusCode: 404 });
  });
});
