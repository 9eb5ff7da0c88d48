import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HeartbeatRepository } from '../../src/core/heartbeat/heartbeat.repository.js';
import { type InstanceHeartbeat } from '../../src/core/heartbeat/instance-heartbeat.js';
import { RedisClient } from '../../src/core/redis/redis-client.js';
import { DailyQuota } from '../../src/ingest/admission/daily-quota.js';
import { IngestService } from '../../src/ingest/ingest.service.js';
import { IngestQueue } from '../../src/ingest/queue/ingest-queue.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { startFixtureServer } from '../support/fixture-server.js';
import { TestClient } from '../support/http.js';
import {
  type InProcessApp,
  signInAdmin,
  signInNewUser,
  startInProcessApp,
} from '../support/in-process-app.js';
import { randomFile } from '../support/media.js';

describe('ingest limits: daily quota per user, checked at submit and while downloading', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let admin: TestClient;
  let uploader: TestClient;
  let fixture: Awaited<ReturnType<typeof startFixtureServer>>;

  before(async () => {
    db = await startTestDatabase();
    fixture = await startFixtureServer({ body: randomFile(1536 * 1024).bytes });
    server = await startInProcessApp({
      MONGODB_URI: db.uri,
      ROLE: 'all',
      INGEST_ALLOW_HOSTS: `127.0.0.1:${fixture.port}`,
      INGEST_MAX_BYTES_PER_DAY: '1',
      INGEST_MIN_FREE_DISK: '0',
    });
    admin = await signInAdmin(server);
    uploader = await signInNewUser(server, 'uploader1', 'uploader');
  });
  after(async () => {
    await server?.close();
    await fixture?.close();
    await db?.stop();
  });

  it('stops a download that would pass the quota, and says so', async () => {
    const submitted = await uploader.post('/api/ingest', { url: fixture.url('/Too.Much.For.Today.mkv') });
    assert.equal(submitted.status, 202, JSON.stringify(submitted.body));
    const task = await eventually(
      async () => (await uploader.get(`/api/ingest/${String(submitted.body.taskId)}`)).body,
      (t) => t.state === 'failed' || t.state === 'done',
      { timeoutMs: 30000, what: 'task ended' },
    );
    assert.equal(task.state, 'failed');
    assert.match(String(task.error), /over your daily download quota \(1\.0 MiB left today\)/);
    assert.equal(task.attempts, 1, 'not retried: the quota will not change by retrying');
  });

  it('refuses a submission with 429 once the quota is used up; admins have none', async () => {
    const me = (await uploader.get('/api/auth/me')).body;
    await server.app.get(DailyQuota).add(String(me.id), 1024 * 1024);
    const refused = await uploader.post('/api/ingest', { url: fixture.url('/One.More.mkv') });
    assert.equal(refused.status, 429);
    assert.equal(refused.body.error, 'quota_exceeded');
    assert.match(String(refused.body.message), /1\.0 MiB daily download quota; it resets at 00:00 UTC/);
    const byAdmin = await admin.post('/api/ingest', { url: fixture.url('/Admin.Has.No.Quota.mkv') });
    assert.equal(byAdmin.status, 202);
    await admin.delete(`/api/ingest/${String(byAdmin.body.taskId)}`);
  });
});

describe('ingest admission: no worker with disk to spare', () => {
  let db: TestDatabase;
  let server: InProcessApp;

  before(async () => {
    db = await startTestDatabase();
  });
  after(async () => {
    await server?.close();
    await db?.stop();
  });

  it('answers 507 when every live worker is known to be below INGEST_MIN_FREE_DISK, never for an unknown disk', async () => {
    server = await startInProcessApp({
      MONGODB_URI: db.uri,
      ROLE: 'all',
      INGEST_ALLOW_HOSTS: '127.0.0.1:9',
      INGEST_MIN_FREE_DISK: String(1024 * 1024 * 1024), // 1 PiB: no disk here has that
    });
    const admin = await signInAdmin(server);
    await eventually(
      () => server.app.get(HeartbeatRepository).withRole('worker'),
      (workers) => workers.length === 1,
      { what: 'the worker heartbeat' },
    );
    const refused = await admin.post('/api/ingest', { url: 'http://127.0.0.1:9/file.mkv' });
    assert.equal(refused.status, 507);
    assert.equal(refused.body.error, 'insufficient_storage');
    assert.match(String(refused.body.message), /No worker has disk to spare/);

    // Another live worker whose disk could not be read: unknown is not "full", so nothing is refused.
    const unknownDisk: InstanceHeartbeat = {
      ...(await server.app.get(HeartbeatRepository).withRole('worker'))[0],
      instanceId: 'other-box:4242',
      host: 'other-box',
      pid: 4242,
      disk: null,
    };
    await server.app
      .get(RedisClient)
      .client.set(`heartbeat:${unknownDisk.instanceId}`, JSON.stringify(unknownDisk), 'EX', 60);
    const admitted = await admin.post('/api/ingest', { url: 'http://127.0.0.1:9/file.mkv' });
    assert.equal(admitted.status, 202, JSON.stringify(admitted.body));
    await admin.delete(`/api/ingest/${String(admitted.body.taskId)}`);
  });
});

describe('retrying a task: its requester or an admin, through admission, never doubling a source', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  let admin: TestClient;
  let owner: TestClient;
  let stranger: TestClient;
  const link = (name: string) => `http://127.0.0.1:9/${name}.mkv`;

  before(async () => {
    db = await startTestDatabase();
    // A manager alone: tasks wait in the queue, so what is active is only what these tests make so.
    server = await startInProcessApp({
      MONGODB_URI: db.uri,
      ROLE: 'manager',
      INGEST_ALLOW_HOSTS: '127.0.0.1:9',
      INGEST_MAX_ACTIVE_PER_USER: '2',
    });
    admin = await signInAdmin(server);
    owner = await signInNewUser(server, 'retry-owner', 'uploader');
    stranger = await signInNewUser(server, 'retry-stranger', 'uploader');
  });
  after(async () => {
    await server?.close();
    await db?.stop();
  });

  const submitAndCancel = async (client: TestClient, name: string): Promise<string> => {
    const submitted = await client.post('/api/ingest', { url: link(name) });
    assert.equal(submitted.status, 202, JSON.stringify(submitted.body));
    assert.equal((await client.delete(`/api/ingest/${String(submitted.body.taskId)}`)).status, 200);
    return String(submitted.body.taskId);
  };

  it("refuses another uploader's retry with 403, as cancel does; an admin may", async () => {
    const taskId = await submitAndCancel(owner, 'Owned');
    const refused = await stranger.post(`/api/ingest/${taskId}/retry`);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error, 'forbidden');
    assert.match(String(refused.body.message), /Only the requester or an admin can retry/);
    assert.equal((await owner.get(`/api/ingest/${taskId}`)).body.state, 'cancelled');
    const byAdmin = await admin.post(`/api/ingest/${taskId}/retry`);
    assert.equal(byAdmin.status, 202, JSON.stringify(byAdmin.body));
    assert.equal(byAdmin.body.state, 'queued');
    await admin.delete(`/api/ingest/${taskId}`);
  });

  it('counts a retried task against its requester’s active tasks (429 past the limit)', async () => {
    const cancelled = await submitAndCancel(owner, 'Limit.Zero');
    const running = [
      await owner.post('/api/ingest', { url: link('Limit.One') }),
      await owner.post('/api/ingest', { url: link('Limit.Two') }),
    ];
    assert.deepEqual(
      running.map((r) => r.status),
      [202, 202],
    );
    const refused = await owner.post(`/api/ingest/${cancelled}/retry`);
    assert.equal(refused.status, 429);
    assert.equal(refused.body.error, 'too_many_tasks');
    assert.equal((await owner.get(`/api/ingest/${cancelled}`)).body.state, 'cancelled', 'left as it was');
    await owner.delete(`/api/ingest/${String(running[0].body.taskId)}`);
    assert.equal((await owner.post(`/api/ingest/${cancelled}/retry`)).status, 202, 'once a slot is free');
    for (const taskId of [cancelled, String(running[1].body.taskId)])
      await owner.delete(`/api/ingest/${taskId}`);
  });

  it('refuses a name hint over 300 characters however it comes (the bot passes the rest of a message)', async () => {
    const me = (await owner.get('/api/auth/me')).body;
    await assert.rejects(
      server.app.get(IngestService).submit({
        url: link('Long.Hint'),
        hint: 'x'.repeat(301),
        requester: {
          kind: 'user',
          id: String(me.id),
          name: 'retry-owner',
          role: 'uploader',
          via: 'telegram',
        },
      }),
      (error: Error & { getStatus?: () => number }) =>
        error.getStatus?.() === 400 && /at most 300 characters/.test(error.message),
    );
  });

  it('refuses to retry a cancelled task while its old job still lives (its worker is stopping it)', async () => {
    const taskId = await submitAndCancel(owner, 'Still.Stopping');
    // What a worker still at it looks like from here: the task's job is live.
    await server.app.get(IngestQueue).enqueue(taskId);
    const refused = await owner.post(`/api/ingest/${taskId}/retry`);
    assert.equal(refused.status, 409);
    assert.match(String(refused.body.message), /still stopping on its worker/);
    await server.app.get(IngestQueue).remove(taskId);
    assert.equal((await owner.post(`/api/ingest/${taskId}/retry`)).status, 202, 'once it has stopped');
    await owner.delete(`/api/ingest/${taskId}`);
  });

  it('refuses to retry a task whose source another active task is fetching (409 naming it)', async () => {
    const first = await submitAndCancel(owner, 'Same.Source');
    const second = await owner.post('/api/ingest', { url: link('Same.Source') });
    assert.equal(second.status, 202);
    assert.notEqual(second.body.taskId, first, 'the cancelled task is not active: a new one is made');
    const refused = await owner.post(`/api/ingest/${first}/retry`);
    assert.equal(refused.status, 409);
    assert.match(
      String(refused.body.message),
      new RegExp(`Task ${String(second.body.taskId)} is already fetching the same source`),
    );
    assert.equal((await owner.get(`/api/ingest/${first}`)).body.state, 'cancelled');
    await owner.delete(`/api/ingest/${String(second.body.taskId)}`);
  });
});
