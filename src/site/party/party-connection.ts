import { type WebSocket } from 'ws';
import { CHAT_INTERVAL_MS } from './party-rules.js';

/** Messages a socket may send in a burst, and how many more a second after that (pings are 1 in 2 s). */
export const BURST_MESSAGES = 40;
export const MESSAGES_PER_SECOND = 10;

/** WebSocket close codes the page understands (4xxx: the application's own). */
export const CLOSE = {
  tooManyMessages: 1008,
  badTicket: 4401,
  foreignOrigin: 4403,
  /** Dropped from the room by the presence sweep: join again. */
  dropped: 4408,
  roomGone: 4404,
  roomFull: 4409,
  shuttingDown: 1001,
  unavailable: 1011,
  /** It stopped reading: what it was sent piled up past MAX_UNSENT_BYTES. */
  notReading: 1008,
} as const;

/**
 * What may wait unsent for one socket. A member that stops reading (while still sending the pings it
 * may) would otherwise have the room's messages pile up in this process for as long as it stays.
 */
export const MAX_UNSENT_BYTES = 1024 * 1024;

/** One participant's socket on this manager: who it is, and its flood and chat allowances. */
export class PartyConnection {
  private tokens = BURST_MESSAGES;
  private refilledAt: number;
  private lastChatAt = -Infinity;
  closed = false;

  constructor(
    readonly socket: WebSocket,
    readonly roomId: string,
    readonly memberId: string,
    readonly name: string,
    now: number,
  ) {
    this.refilledAt = now;
  }

  /** Takes one message from the allowance; false once the socket has sent more than it may. */
  admit(now: number): boolean {
    this.tokens = Math.min(
      BURST_MESSAGES,
      this.tokens + ((now - this.refilledAt) / 1000) * MESSAGES_PER_SECOND,
    );
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** One chat message a second per participant. */
  admitChat(now: number): boolean {
    if (now - this.lastChatAt < CHAT_INTERVAL_MS) return false;
    this.lastChatAt = now;
    return true;
  }

  send(event: string, data: unknown): void {
    if (this.closed || this.socket.readyState !== this.socket.OPEN) return;
    if (this.socket.bufferedAmount > MAX_UNSENT_BYTES) {
      this.close(CLOSE.notReading, 'not reading');
      return;
    }
    this.socket.send(JSON.stringify({ event, data }));
  }

  error(code: string, message: string): void {
    this.send('error', { error: code, message });
  }

  close(code: number, reason: string): void {
    this.closed = true;
    this.socket.close(code, reason);
  }
}
