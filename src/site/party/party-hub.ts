import { type IncomingMessage } from 'node:http';
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { type RawData, type WebSocket } from 'ws';
import { APP_CONFIG, type AppConfig } from '../../core/config/app-config.js';
import { RedisMutex } from '../../core/redis/redis-mutex.js';
import { type PartyEvent, PartyBus } from './party-bus.js';
import { CLOSE, PartyConnection } from './party-connection.js';
import { PartyRoomRepository } from './party-room.repository.js';
import { applyControl, chatText, type ControlRequest, mayControl, PartyRuleError } from './party-rules.js';
import { PartyTickets } from './party-tickets.js';
import { PartyMetrics } from './party.metrics.js';

/** Each manager marks its members present this often; a member unseen for STALE_AFTER_MS is dropped. */
export const PRESENCE_EVERY_MS = 10_000;
export const STALE_AFTER_MS = 35_000;
/** A room nobody is in is deleted this long after it became empty. */
export const EMPTY_ROOM_TTL_MS = 10 * 60 * 1000;
const SWEEP_EVERY_MS = 15_000;
/** A playback change that keeps meeting newer ones gives up after this many tries. */
const CONTROL_ATTEMPTS = 5;

/** No Origin (a native client), or a page served by the host the socket was opened on. */
function sameOrigin(request: IncomingMessage): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

interface ClientMessage {
  event?: unknown;
  data?: { room?: unknown; [key: string]: unknown };
}

/**
 * The watch-party sockets of this manager: admits a socket with a ticket, applies its messages to the
 * room in Redis, and passes the room's events (from every manager, over pub/sub) to its own sockets.
 */
@Injectable()
export class PartyHub implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('party');
  /** room id → member id → connection, for this manager's sockets only. */
  private readonly local = new Map<string, Map<string, PartyConnection>>();
  private timers: NodeJS.Timeout[] = [];
  private unsubscribe?: () => void;
  private stopping = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly rooms: PartyRoomRepository,
    private readonly tickets: PartyTickets,
    private readonly bus: PartyBus,
    private readonly mutex: RedisMutex,
    private readonly metrics: PartyMetrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.unsubscribe = await this.bus.subscribe((event) => this.deliver(event));
    this.timers = [
      setInterval(
        () => void this.markPresent().catch((e: Error) => this.warn('presence', e)),
        PRESENCE_EVERY_MS,
      ),
      setInterval(() => void this.sweep().catch((e: Error) => this.warn('sweep', e)), SWEEP_EVERY_MS),
    ];
    for (const timer of this.timers) timer.unref();
  }

  /**
   * Before Redis closes: this manager's members leave their rooms (the host passes on at once, rather
   * than after the presence sweep), then their sockets close with 1001 and the pages join again
   * through another manager.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    for (const timer of this.timers) clearInterval(timer);
    this.unsubscribe?.();
    const connections = [...this.local.values()].flatMap((members) => [...members.values()]);
    await Promise.all(
      connections.map((connection) => this.leave(connection).catch((e: Error) => this.warn('leave', e))),
    );
    for (const connection of connections) connection.close(CLOSE.shuttingDown, 'server shutting down');
  }

  /** A new socket on /party/ws: `?ticket=` names the room and the member, or the socket is closed. */
  async accept(socket: WebSocket, request: IncomingMessage): Promise<void> {
    const token = new URL(request.url ?? '/', 'http://localhost').searchParams.get('ticket');
    if (this.stopping) {
      socket.close(CLOSE.shuttingDown, 'server shutting down');
      return;
    }
    const refuse = (code: number, error: string, message: string) => {
      socket.send(JSON.stringify({ event: 'error', data: { error, message } }));
      socket.close(code, error);
    };
    // A browser on another site never gets a ticket (no CORS), but refuse its sockets outright too.
    if (!sameOrigin(request))
      return refuse(CLOSE.foreignOrigin, 'forbidden', 'Open the party from its own site.');
    const ticket = this.tickets.verify(token);
    if (!ticket)
      return refuse(CLOSE.badTicket, 'bad_ticket', 'The join ticket is missing, forged or expired.');
    const now = Date.now();
    const connection = new PartyConnection(socket, ticket.room, ticket.member, ticket.name, now);
    // Messages that arrive while the join runs wait for it.
    const joined = this.join(connection, now).catch((error: Error) => {
      this.warn('join', error);
      connection.close(CLOSE.unavailable, 'try again');
      return false;
    });
    socket.on('message', (raw: RawData) => {
      void joined
        .then((ok) => (ok ? this.receive(connection, raw) : undefined))
        .catch((e: Error) => this.warn('message', e));
    });
    socket.on('close', () => {
      void joined
        .then((ok) => (ok ? this.leave(connection) : undefined))
        .catch((e: Error) => this.warn('leave', e));
    });
    await joined;
  }

  private async join(connection: PartyConnection, now: number): Promise<boolean> {
    const { roomId, memberId, name } = connection;
    const result = await this.rooms.join(
      roomId,
      { id: memberId, name },
      now,
      this.config.site.party.maxMembers,
    );
    if (!result.ok) {
      const { maxMembers } = this.config.site.party;
      const [code, error, message] = {
        full: [CLOSE.roomFull, 'party_full', `This watch party is full (${maxMembers} people).`],
        gone: [CLOSE.roomGone, 'party_not_found', 'This watch party has ended.'],
        taken: [
          CLOSE.badTicket,
          'bad_ticket',
          'This ticket is in use by another connection; ask for a new one.',
        ],
      }[result.reason] as [number, string, string];
      connection.error(error, message);
      connection.close(code, error);
      return false;
    }
    if (connection.socket.readyState !== connection.socket.OPEN) {
      // Gone while joining: undo at once rather than wait for the presence sweep.
      await this.rooms.leave(roomId, memberId, Date.now());
      return false;
    }
    let members = this.local.get(roomId);
    if (!members) this.local.set(roomId, (members = new Map()));
    members.set(memberId, connection);
    this.metrics.sockets.inc();
    const room = await this.rooms.find(roomId);
    connection.send('welcome', { memberId, serverTime: Date.now(), room });
    await this.publishMembers(roomId);
    await this.bus.publish({ room: roomId, event: 'notice', data: { text: `${name} joined` } });
    return true;
  }

  private async leave(connection: PartyConnection): Promise<void> {
    const { roomId, memberId, name } = connection;
    const members = this.local.get(roomId);
    if (members?.delete(memberId)) this.metrics.sockets.dec();
    if (members?.size === 0) this.local.delete(roomId);
    const result = await this.rooms.leave(roomId, memberId, Date.now());
    if (!result.left) return;
    await this.publishMembers(roomId);
    await this.bus.publish({ room: roomId, event: 'notice', data: { text: `${name} left` } });
  }

  private async receive(connection: PartyConnection, raw: RawData): Promise<void> {
    const now = Date.now();
    if (connection.closed) return;
    if (!connection.admit(now)) {
      connection.error('too_many_messages', 'Too many messages: this connection is closed.');
      this.metrics.cutOff.inc();
      connection.close(CLOSE.tooManyMessages, 'too many messages');
      return;
    }
    let message: ClientMessage;
    try {
      message = JSON.parse(raw.toString()) as ClientMessage;
    } catch {
      return connection.error(
        'bad_request',
        'A message is JSON: {"event": ..., "data": {"room": ..., ...}}.',
      );
    }
    if (
      typeof message !== 'object' ||
      message === null ||
      typeof message.data !== 'object' ||
      !message.data
    ) {
      return connection.error(
        'bad_request',
        'A message is JSON: {"event": ..., "data": {"room": ..., ...}}.',
      );
    }
    // A socket speaks for one room only: the one its ticket named.
    if (message.data.room !== connection.roomId) {
      return connection.error('forbidden', 'This connection is not a member of that room.');
    }
    try {
      switch (message.event) {
        case 'ping':
          return connection.send('pong', { sent: message.data.sent, server: Date.now() });
        case 'control':
          return await this.control(connection, message.data as unknown as ControlRequest);
        case 'chat':
          return await this.chat(connection, message.data.text);
        case 'everyone-controls':
          return await this.everyoneControls(connection, message.data.allowed === true);
        default:
          return connection.error('bad_request', 'Unknown event: ping, control, chat or everyone-controls.');
      }
    } catch (error) {
      if (error instanceof PartyRuleError) return connection.error(error.code, error.message);
      throw error;
    }
  }

  private async control(connection: PartyConnection, request: ControlRequest): Promise<void> {
    for (let attempt = 0; attempt < CONTROL_ATTEMPTS; attempt++) {
      const room = await this.rooms.find(connection.roomId);
      if (!room) return connection.error('party_not_found', 'This watch party has ended.');
      if (!mayControl(connection.memberId, room.hostId, room.everyoneControls)) {
        return connection.error('forbidden', 'Only the host controls playback in this party.');
      }
      const next = applyControl(room.state, request, Date.now());
      const outcome = await this.rooms.setState(room.id, connection.memberId, room.state.revision, next);
      if (outcome === 'ok') {
        await this.bus.publish({
          room: room.id,
          event: 'state',
          data: { state: next, by: connection.memberId },
        });
        return;
      }
      if (outcome === 'forbidden')
        return connection.error('forbidden', 'Only the host controls playback in this party.');
      if (outcome === 'not_member')
        return connection.error('forbidden', 'This connection is no longer in the room.');
      if (outcome === 'gone') return connection.error('party_not_found', 'This watch party has ended.');
    }
    connection.error('conflict', 'Playback changed too often at once; try again.');
  }

  private async chat(connection: PartyConnection, text: unknown): Promise<void> {
    const clean = chatText(text);
    if (!connection.admitChat(Date.now())) {
      return connection.error('too_many_requests', 'One chat message a second, please.');
    }
    await this.bus.publish({
      room: connection.roomId,
      event: 'chat',
      data: { from: connection.memberId, name: connection.name, text: clean, at: Date.now() },
    });
  }

  private async everyoneControls(connection: PartyConnection, allowed: boolean): Promise<void> {
    const outcome = await this.rooms.setEveryoneControls(connection.roomId, connection.memberId, allowed);
    if (outcome === 'forbidden') return connection.error('forbidden', 'Only the host decides who controls.');
    if (outcome === 'gone') return connection.error('party_not_found', 'This watch party has ended.');
    await this.publishMembers(connection.roomId);
  }

  /**
   * Members, host and control setting, read after a change and sent to everyone in the room, with the
   * members the sweep dropped (`dropped`, for the managers holding their sockets, not for the pages).
   */
  private async publishMembers(roomId: string, dropped: string[] = []): Promise<void> {
    const room = await this.rooms.find(roomId);
    if (!room) return;
    const { hostId, everyoneControls, members } = room;
    const data = { hostId, everyoneControls, members, ...(dropped.length > 0 ? { dropped } : {}) };
    await this.bus.publish({ room: roomId, event: 'members', data });
  }

  private deliver(event: PartyEvent): void {
    const members = this.local.get(event.room);
    if (!members) return;
    let data = event.data;
    if (event.event === 'members') {
      const { dropped = [], ...list } = event.data as { dropped?: string[] };
      data = list;
      // Swept out while connected (its presence mark came too late): the page joins again. Only those
      // the sweep named: a list read before a join may arrive after it, without the new member.
      for (const memberId of dropped) {
        const connection = members.get(memberId);
        if (!connection) continue;
        members.delete(memberId);
        this.metrics.sockets.dec();
        connection.close(CLOSE.dropped, 'no longer in the room');
      }
    }
    for (const connection of members.values()) connection.send(event.event, data);
    if (members.size === 0) this.local.delete(event.room);
  }

  private async markPresent(now = Date.now()): Promise<void> {
    for (const [roomId, members] of this.local) await this.rooms.touch(roomId, [...members.keys()], now);
  }

  /**
   * On one manager at a time: drops members whose manager stopped marking them present (it crashed),
   * passing the host on, and deletes rooms empty for EMPTY_ROOM_TTL_MS. `now` is a parameter for tests.
   * False when another manager was sweeping.
   */
  async sweep(now = Date.now()): Promise<boolean> {
    await this.markPresent(now);
    const swept = await this.mutex.ifFree(
      'sweep:party',
      async () => {
        for (const roomId of await this.rooms.roomIds()) {
          const result = await this.rooms.sweep(roomId, now, now - STALE_AFTER_MS, now - EMPTY_ROOM_TTL_MS);
          if (result.outcome === 'kept' && result.stale.length > 0)
            await this.publishMembers(roomId, result.stale);
        }
        return true;
      },
      60_000,
    );
    return swept ?? false;
  }

  private warn(what: string, error: Error): void {
    this.logger.warn(`party ${what}: ${error.message}`);
  }
}
