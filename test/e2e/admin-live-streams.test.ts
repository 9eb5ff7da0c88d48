import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SseConnections } from '../../src/admin/live/sse-connections.js';
import { MongoConnection } from '../../src/core/database/mongo-connection.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { type TestClient } from '../support/http.js';
import {
  signInAdmin,
  signInNewUser,
  startInProcessApp,
  type InProcessApp,
} from '../support/in-process-app.js';
import { postPanelForm } from '../support/panel-form.js';

/** An open panel event stream, read as it arrives. */
async function openStream(server: InProcessApp, client: TestClient, path: string) {
  const res = await server.request(path, {
    headers: { cookie: `sv_session=${client.cookie('sv_session')}` },
  });
  assert.equal(res.status, 200, `${path} opens`);
  assert.match(String(res.headers.get('content-type')), /^text\/event-stream/);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  /** Reads until `arrived` holds for what was read (true) or the server ended the stream (false). */
  const read = async (arrived: (text: string) => boolean): Promise<boolean> => {
    while (!arrived(text)) {
      const chunk = await reader.read();
      if (chunk.done) return false;
      text += chunk.value;
    }
    return true;
  };
  let keepalives = 0;
  return {
    /** Reads until `pattern` has arrived (true) or the server ended the stream (false). */
    until: (pattern: RegExp) => read((text) => pattern.test(text)),
    /** After a tick: whether the stream got its keepalive line, or was ended instead. */
    afterTick: async (): Promise<'keepalive' | 'ended'> => {
      keepalives++;
      const arrived = await read((text) => text.split(': keepalive\n').length > keepalives);
      return arrived ? 'keepalive' : 'ended';
    },
    cancel: () => reader.cancel(),
  };
}

/** The session id inside a session cookie (its JWT's `sid`). */
function sessionIdOf(client: TestClient): string {
  const payload = String(client.cookie('sv_session')).split('.')[1];
  return (JSON.parse(Buffer.from(payload, 'base64url').toString()) as { sid: string }).sid;
}

describe('admin panel: live streams end with the access that opened them', () => {
  let db: TestDatabase;
  let server: InProcessApp;
  /** The keepalive tick, run now rather than in 15 s. */
  let tick: () => Promise<void>;

  before(async () => {
    db = await startTestDatabase();
    server = await startInProcessApp({ MONGODB_URI: db.uri, ROLE: 'manager' });
    const sse = server.app.get(SseConnections);
    tick = () => sse.keepalive();
  });
  after(async () => {
    await server?.close();
    await db?.stop();
  });

  it('ends the log stream on the next tick once its session signs out, and keeps it while signed in', async () => {
    const admin = await signInAdmin(server);
    const stream = await openStream(server, admin, '/admin/logs/events');
    await stream.until(/event: history/);

    await tick();
    assert.equal(await stream.afterTick(), 'keepalive', 'a signed-in stream stays open');

    const signedOut = await postPanelForm(server.url, admin, '/admin', '/admin/logout', {});
    assert.equal(signedOut.status, 303);
    await tick();
    assert.equal(await stream.afterTick(), 'ended');
  });

  it('ends the task stream of a session another admin revokes, and not the revoking admin’s own', async () => {
    const watched = await signInAdmin(server);
    const other = await signInAdmin(server);
    const revoked = await openStream(server, watched, '/admin/tasks/events');
    const kept = await openStream(server, other, '/admin/tasks/events');
    await revoked.until(/event: tasks/);
    await kept.until(/event: tasks/);

    const res = await postPanelForm(
      server.url,
      other,
      '/admin/users',
      `/admin/users/sessions/${sessionIdOf(watched)}/revoke`,
      {},
    );
    assert.equal(res.status, 303);
    await tick();
    assert.equal(await revoked.afterTick(), 'ended');
    assert.equal(await kept.afterTick(), 'keepalive', 'the other session’s stream goes on');
    await kept.cancel();
  });

  it('ends the stream of an account demoted or disabled while it watches', async () => {
    // No panel page changes a role or disables an account yet: the change is made in the database.
    const users = server.app.get(MongoConnection).connection.collection('users');
    const uploader = await signInNewUser(server, 'ulla', 'uploader');
    const demoted = await openStream(server, uploader, '/admin/tasks/events');
    await demoted.until(/event: tasks/);
    await users.updateOne({ username: 'ulla' }, { $set: { role: 'viewer' } });
    await tick();
    assert.equal(await demoted.afterTick(), 'ended', 'demoted to viewer');

    const admin = await signInNewUser(server, 'dora', 'admin');
    const disabled = await openStream(server, admin, '/admin/logs/events');
    await disabled.until(/event: history/);
    await users.updateOne({ username: 'dora' }, { $set: { disabled: true } });
    await tick();
    assert.equal(await disabled.afterTick(), 'ended', 'disabled');
  });
});
