import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { PartyBus } from '../../src/site/party/party-bus.js';
import { PartyHub } from '../../src/site/party/party-hub.js';
import { PartyTickets } from '../../src/site/party/party-tickets.js';
import { type RunningApp, startApp } from '../support/app-process.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { TestClient } from '../support/http.js';
import { type InProcessApp, startInProcessApp } from '../support/in-process-app.js';
import { createMediaFile, storeFile } from '../support/library-fixtures.js';
import { randomFile } from '../support/media.js';
import { startNginx } from '../support/nginx.js';
import { PartySocket } from '../support/party.js';
import { uniqueRedisPrefix } from '../support/redis.js';

const MAX_MEMBERS = 4;

/** One sweep at `now` by this manager (waiting while another manager's sweep holds the lock). */
async function sweepAt(hub: PartyHub, now: number): Promise<void> {
  while (!(await hub.sweep(now))) await new Promise((resolve) => setTimeout(resolve, 50));
}

describe('watch-party rooms across two manager processes (Redis)', () => {
  let db: TestDatabase;
  let first: InProcessApp;
  let second: RunningApp;
  let fileId: string;
  const sockets: PartySocket[] = [];

  /** A room started on the first manager by a guest. */
  async function startRoom(): Promise<string> {
    const guest = new TestClient(first.url);
    const visit = await guest.get(`/api/titles`);
    assert.equal(visit.status, 200);
    const started = await guest.post('/api/party', { fileId });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    assert.match(String(started.body.roomId), /^[A-Za-z0-9_-]{22}$/);
    assert.equal(started.body.path, `/party/${String(started.body.roomId)}`);
    return String(started.body.roomId);
  }

  async function join(url: string, room: string, name: string) {
    const joined = await PartySocket.join(url, room, name);
    sockets.push(joined.party);
    return joined;
  }

  before(async () => {
    db = await startTestDatabase();
    const shared = {
      MONGODB_URI: db.uri,
      REDIS_PREFIX: uniqueRedisPrefix(),
      PARTY_MAX_MEMBERS: String(MAX_MEMBERS),
    };
    first = await startInProcessApp({ ROLE: 'manager', ...shared });
    second = await startApp({ ROLE: 'manager', ...shared });
    fileId = String(await createMediaFile(first.app));
  });
  after(async () => {
    await Promise.all(sockets.map((socket) => socket.close()));
    await second?.stop();
    await first?.close();
    await db?.stop();
  });

  it('shares one room between managers: host controls, state carries the server clock, chat and notices reach all', async () => {
    const room = await startRoom();
    const host = await join(first.url, room, 'Ada');
    const guest = await join(second.url, room, 'Brian');
    assert.equal(
      host.welcome.data.room && (host.welcome.data.room as { hostId: string }).hostId,
      host.memberId,
    );
    const members = await host.party.next('members', (data) => (data.members as unknown[]).length === 2);
    assert.deepEqual(
      (members.data.members as { name: string }[]).map((member) => member.name),
      ['Ada', 'Brian'],
    );
    await host.party.next('notice', (data) => data.text === 'Brian joined');

    const before = Date.now();
    host.party.send('control', { action: 'play', position: 12.5 });
    const played = await guest.party.next('state', (data) => (data.state as { playing: boolean }).playing);
    const state = played.data.state as {
      playing: boolean;
      position: number;
      rate: number;
      at: number;
      revision: number;
    };
    assert.deepEqual([state.position, state.rate, state.revision], [12.5, 1, 1]);
    assert.ok(state.at >= before && state.at <= Date.now(), 'stamped with the server clock');

    // Not the host: refused, and nothing changes.
    guest.party.send('control', { action: 'pause', position: 13 });
    const refused = await guest.party.next('error');
    assert.equal(refused.data.error, 'forbidden');

    // The host lets everyone control; then the guest's seek and rate reach the host.
    host.party.send('everyone-controls', { allowed: true });
    await guest.party.next('members', (data) => data.everyoneControls === true);
    guest.party.send('control', { action: 'seek', position: 30 });
    await host.party.next('state', (data) => (data.state as { position: number }).position === 30);
    guest.party.send('control', { action: 'rate', rate: 1.5 });
    const rated = await host.party.next('state', (data) => (data.state as { rate: number }).rate === 1.5);
    assert.equal((rated.data.state as { playing: boolean }).playing, true);
    host.party.send('control', { action: 'pause', position: 31 });
    await guest.party.next('state', (data) => (data.state as { playing: boolean }).playing === false);

    // Chat: passed on as text (escaping is the page's job), one a second per person, 500 characters.
    guest.party.send('chat', { text: '<b>hi</b> & bye' });
    const chat = await host.party.next('chat');
    assert.deepEqual([chat.data.name, chat.data.text], ['Brian', '<b>hi</b> & bye']);
    guest.party.send('chat', { text: 'again at once' });
    assert.equal((await guest.party.next('error')).data.error, 'too_many_requests');
    host.party.send('chat', { text: 'x'.repeat(501) });
    assert.equal((await host.party.next('error')).data.error, 'bad_request');
  });

  it('passes the host to the next participant when the host leaves, and a rejoining client gets the current state', async () => {
    const room = await startRoom();
    const host = await join(first.url, room, 'Host');
    const second1 = await join(second.url, room, 'Second');
    const third = await join(first.url, room, 'Third');
    host.party.send('control', { action: 'seek', position: 42 });
    await third.party.next('state', (data) => (data.state as { position: number }).position === 42);

    await host.party.close();
    const handedOver = await third.party.next('members', (data) => data.hostId === second1.memberId);
    assert.deepEqual(
      (handedOver.data.members as { name: string }[]).map((member) => member.name),
      ['Second', 'Third'],
    );
    await third.party.next('notice', (data) => data.text === 'Host left');
    // The new host controls; the old rule (host only) still holds for the others.
    second1.party.send('control', { action: 'play', position: 50 });
    await third.party.next('state', (data) => (data.state as { playing: boolean }).playing);
    third.party.send('control', { action: 'pause', position: 51 });
    assert.equal((await third.party.next('error')).data.error, 'forbidden');

    // A dropped client joins again (a new ticket) on the other manager and starts from the room's state.
    await third.party.close();
    const back = await join(second.url, room, 'Third');
    const state = (back.welcome.data.room as { state: { playing: boolean; position: number } }).state;
    assert.deepEqual([state.playing, state.position], [true, 50]);
  });

  it('answers an Upgrade it does not serve (another path: 404, h2c: 400) with a JSON body, not a dropped connection', async () => {
    const { port } = new URL(first.url);
    const raw = (head: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () => socket.write(`${head}\r\n\r\n`));
        let text = '';
        socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
    const websocket =
      'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==';
    for (const [head, status, body] of [
      [`GET /api/auth/me HTTP/1.1\r\nHost: 127.0.0.1\r\n${websocket}`, '404 Not Found', 'not_found'],
      [`GET /party/ws/ HTTP/1.1\r\nHost: 127.0.0.1\r\n${websocket}`, '404 Not Found', 'not_found'],
      [
        'GET /api/site HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA',
        '400 Bad Request',
        'bad_request',
      ],
    ]) {
      const answer = await raw(head);
      assert.match(answer, new RegExp(`^HTTP/1\\.1 ${status}\\r\\n`), head);
      assert.match(answer, new RegExp(`\\r\\n\\r\\n\\{"error":"${body}","message":"`), head);
    }
  });

  it('closes a socket that sends a frame over 8 KiB (1009), logging a warning, not an error', async () => {
    const room = await startRoom();
    const { party } = await join(second.url, room, 'Big');
    party.socket.send('x'.repeat(9000));
    assert.equal((await party.closed).code, 1009);
    await eventually(
      async () => second.stdout(),
      (out) => /"level":40[^\n]*socket was closed: WS_ERR_UNSUPPORTED_MESSAGE_LENGTH/.test(out),
      { what: 'the warning line' },
    );
    assert.doesNotMatch(second.stdout(), /"level":50[^\n]*Max payload/);
  });

  it('refuses sockets without a valid ticket, and messages for another room', async () => {
    const room = await startRoom();
    for (const ticket of [undefined, 'nonsense', `${'a'.repeat(40)}.${'b'.repeat(43)}`]) {
      const socket = await PartySocket.open(second.url, room, ticket);
      assert.equal((await socket.next('error')).data.error, 'bad_ticket');
      assert.equal((await socket.closed).code, 4401);
    }
    // A real ticket with its room id changed: the signature no longer matches.
    const tickets = first.app.get(PartyTickets);
    const real = tickets.sign({ room, member: 'm1', name: 'Eve', expiresAt: Date.now() + 60_000 });
    const [body, mac] = real.split('.');
    const forgedBody = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), room: 'x'.repeat(22) }),
    ).toString('base64url');
    const forged = await PartySocket.open(first.url, room, `${forgedBody}.${mac}`);
    assert.equal((await forged.closed).code, 4401);
    // A page of another site, even with a real ticket.
    const stolen = await new TestClient(first.url).post(`/api/party/${room}/tickets`, { name: 'Via evil' });
    const foreign = await PartySocket.open(
      first.url,
      room,
      String(stolen.body.ticket),
      'https://evil.example',
    );
    assert.equal((await foreign.next('error')).data.error, 'forbidden');
    assert.equal((await foreign.closed).code, 4403);
    // A ticket opens one socket at a time.
    const reused = await new TestClient(first.url).post(`/api/party/${room}/tickets`, { name: 'Twice' });
    const once = await PartySocket.open(first.url, room, String(reused.body.ticket));
    sockets.push(once);
    await once.next('welcome');
    const twice = await PartySocket.open(second.url, room, String(reused.body.ticket));
    assert.equal((await twice.next('error')).data.error, 'bad_ticket');
    assert.equal((await twice.closed).code, 4401);
    // Expired.
    const old = tickets.sign({ room, member: 'm2', name: 'Old', expiresAt: Date.now() - 1 });
    assert.equal((await (await PartySocket.open(first.url, room, old)).closed).code, 4401);

    // A member of this room naming another room in a message.
    const other = await startRoom();
    const member = await join(first.url, room, 'Mallory');
    const host = await join(second.url, other, 'Owner');
    member.party.send('control', { action: 'play', position: 1 }, other);
    assert.equal((await member.party.next('error')).data.error, 'forbidden');
    member.party.send('chat', { text: 'hello other room' }, other);
    assert.equal((await member.party.next('error')).data.error, 'forbidden');
    // Unknown rooms and malformed ids: 404 for pages and tickets alike.
    const guest = new TestClient(first.url);
    assert.equal((await guest.post(`/api/party/${'z'.repeat(22)}/tickets`, { name: 'x' })).status, 404);
    assert.equal((await guest.post('/api/party/..%2F..%2Fetc/tickets', {})).status, 404);
    assert.equal((await guest.get(`/party/${'z'.repeat(22)}`)).status, 404);
    assert.equal(host.party.received.filter((m) => m.event === 'state' || m.event === 'chat').length, 0);
  });

  it('cuts off a socket that floods 1000 messages, and the others carry on', async () => {
    const room = await startRoom();
    const host = await join(first.url, room, 'Calm host');
    const flooder = await join(second.url, room, 'Flooder');
    const calm = await join(second.url, room, 'Calm guest');
    for (let i = 0; i < 1000; i++) flooder.party.send('ping', { sent: i });
    assert.equal((await flooder.party.closed).code, 1008);
    assert.ok(flooder.party.received.filter((m) => m.event === 'pong').length < 100);
    await host.party.next('notice', (data) => data.text === 'Flooder left');
    host.party.send('control', { action: 'play', position: 3 });
    await calm.party.next('state', (data) => (data.state as { playing: boolean }).playing);
    calm.party.send('chat', { text: 'still here' });
    assert.equal((await host.party.next('chat')).data.text, 'still here');
    const metrics = await (await fetch(`${second.url}/metrics`)).text();
    assert.match(metrics, /^streamvault_party_sockets_cut_off_total 1$/m);
    assert.match(metrics, /^streamvault_party_sockets [1-9]\d*$/m);
  });

  it('takes at most PARTY_MAX_MEMBERS people, and refuses bad input with 4xx', async () => {
    const room = await startRoom();
    for (let i = 0; i < MAX_MEMBERS; i++) await join(i % 2 ? second.url : first.url, room, `P${i}`);
    const late = await new TestClient(first.url).post(`/api/party/${room}/tickets`, { name: 'Late' });
    assert.equal(late.status, 409);
    assert.equal(late.body.error, 'party_full');

    const guest = new TestClient(first.url);
    await guest.get('/api/titles');
    for (const body of [{}, { fileId: 'nope' }, { fileId: fileId, extra: 1 }]) {
      const response = await guest.post('/api/party', body);
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal(typeof response.body.message, 'string');
    }
    assert.equal((await guest.post('/api/party', { fileId: '0'.repeat(24) })).status, 404);
    const archive = await storeFile(first.app, randomFile(2048).path, 'pages.cbz', 'application/zip');
    const notPlayable = await guest.post('/api/party', { fileId: String(archive._id) });
    assert.equal(notPlayable.status, 400);
    assert.equal(notPlayable.body.error, 'not_playable');
    assert.equal((await new TestClient(first.url).post('/api/party', { fileId })).status, 401);
    assert.equal((await guest.post(`/api/party/${room}/tickets`, { name: 'n'.repeat(41) })).status, 400);
  });

  it('deletes a room 10 minutes after it became empty (the presence sweep), and not before', async () => {
    const room = await startRoom();
    const only = await join(first.url, room, 'Solo');
    await only.party.close();
    const hub = first.app.get(PartyHub);
    const guest = new TestClient(first.url);
    await sweepAt(hub, Date.now() + 9 * 60 * 1000);
    assert.equal((await guest.post(`/api/party/${room}/tickets`, { name: 'x' })).status, 200);
    await sweepAt(hub, Date.now() + 11 * 60 * 1000);
    const gone = await guest.post(`/api/party/${room}/tickets`, { name: 'x' });
    assert.equal(gone.status, 404);
    assert.equal(gone.body.error, 'party_not_found');
  });

  it('reaches /party/ws through the shipped nginx config (Upgrade passed on to a manager)', async () => {
    const nginx = await startNginx(new URL(first.url).host, 'unused-stream-secret-for-this-test');
    try {
      const room = await startRoom();
      const viaNginx = await join(nginx.url, room, 'Behind nginx');
      const direct = await join(second.url, room, 'Direct');
      viaNginx.party.send('control', { action: 'play', position: 7 });
      await direct.party.next('state', (data) => (data.state as { position: number }).position === 7);
      direct.party.send('chat', { text: 'through the proxy' });
      assert.equal((await viaNginx.party.next('chat')).data.text, 'through the proxy');
      await viaNginx.party.close();
    } finally {
      await nginx.stop();
    }
  });

  it('keeps a member connected when a members list read before it joined arrives after', async () => {
    const room = await startRoom();
    const host = await join(first.url, room, 'Early');
    const late = await join(first.url, room, 'Late');
    // What a join racing another join sends: the room as it was before the late member was in it.
    await first.app.get(PartyBus).publish({
      room,
      event: 'members',
      data: {
        hostId: host.memberId,
        everyoneControls: false,
        members: [{ id: host.memberId, name: 'Early' }],
      },
    });
    host.party.send('chat', { text: 'still with us?' });
    assert.equal((await late.party.next('chat')).data.text, 'still with us?');
    assert.equal(late.party.socket.readyState, late.party.socket.OPEN);
  });

  it('drops a member whose manager stopped marking it present, passing the host on', async () => {
    const room = await startRoom();
    const host = await join(second.url, room, 'Vanishing host');
    const stays = await join(first.url, room, 'Stays');
    // The first manager keeps its member present; the second's member looks dead from 40 s on.
    const hub = first.app.get(PartyHub);
    await sweepAt(hub, Date.now() + 40_000);
    const members = await stays.party.next('members', (data) => data.hostId === stays.memberId);
    assert.deepEqual(
      (members.data.members as { name: string }[]).map((member) => member.name),
      ['Stays'],
    );
    // Its socket is told, and closed so that its page joins again.
    assert.equal((await host.party.closed).code, 4408);
  });
});
