import { WebSocket } from 'ws';
import { TestClient } from './http.js';

export interface PartyMessage {
  event: string;
  data: Record<string, unknown>;
}

/**
 * A participant's socket through the real `ws` client: every message it received, in order, and a way
 * to wait for the next one matching a condition.
 */
export class PartySocket {
  readonly received: PartyMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: { match: (m: PartyMessage) => boolean; resolve: (m: PartyMessage) => void }[] = [];
  private seen = 0;

  private constructor(
    readonly socket: WebSocket,
    readonly room: string,
  ) {
    socket.on('message', (raw) => {
      const message = JSON.parse(raw.toString()) as PartyMessage;
      this.received.push(message);
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.match(message)) return true;
        waiter.resolve(message);
        return false;
      });
    });
    this.closed = new Promise((resolve) =>
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  /** Opens `/party/ws` on `baseUrl` with `ticket` (anything, for tests of bad tickets). */
  static async open(baseUrl: string, room: string, ticket?: string, origin?: string): Promise<PartySocket> {
    const url = new URL('/party/ws', baseUrl.replace(/^http/, 'ws'));
    if (ticket !== undefined) url.searchParams.set('ticket', ticket);
    const socket = new WebSocket(url, origin === undefined ? {} : { origin });
    const party = new PartySocket(socket, room);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return party;
  }

  /** Asks `baseUrl` for a ticket as `client` (a fresh guest unless given) and joins; resolves on `welcome`. */
  static async join(baseUrl: string, room: string, name: string, client = new TestClient(baseUrl)) {
    const ticket = await client.post(`/api/party/${room}/tickets`, { name });
    if (ticket.status !== 200) throw new Error(`ticket: ${ticket.status} ${JSON.stringify(ticket.body)}`);
    const party = await PartySocket.open(baseUrl, room, String(ticket.body.ticket));
    const welcome = await party.next('welcome');
    return { party, welcome, memberId: String(welcome.data.memberId) };
  }

  /** The next message of `event` (from now on, or already received and not yet waited for) matching `match`. */
  next(event: string, match: (data: Record<string, unknown>) => boolean = () => true, timeoutMs = 10000) {
    const test = (message: PartyMessage) => message.event === event && match(message.data);
    const earlier = this.received.slice(this.seen).find(test);
    if (earlier) {
      this.seen = this.received.indexOf(earlier) + 1;
      return Promise.resolve(earlier);
    }
    return new Promise<PartyMessage>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`no "${event}" message within ${timeoutMs} ms; got ${JSON.stringify(this.received)}`),
          ),
        timeoutMs,
      );
      this.waiters.push({
        match: test,
        resolve: (message) => {
          clearTimeout(timer);
          this.seen = this.received.indexOf(message) + 1;
          resolve(message);
        },
      });
    });
  }

  send(event: string, data: Record<string, unknown> = {}, room = this.room): void {
    this.socket.send(JSON.stringify({ event, data: { room, ...data } }));
  }

  async close(): Promise<void> {
    if (this.socket.readyState !== WebSocket.CLOSED) this.socket.close();
    await this.closed;
  }
}
