import { createHmac, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { deriveKey } from '../../auth/secrets.js';
import { APP_CONFIG, type AppConfig } from '../../core/config/app-config.js';

/** What a join ticket grants: one member id, with a display name, in one room, until `expiresAt`. */
export interface PartyTicket {
  room: string;
  member: string;
  name: string;
  /** Unix ms. */
  expiresAt: number;
}

/** Long enough to open the socket (and reopen it after a short drop); a page asks for a new one after. */
export const TICKET_TTL_MS = 2 * 60 * 1000;

/**
 * Signed join tickets: `base64url(JSON).base64url(HMAC-SHA256)` under a key derived from SECRET_KEY, so
 * every manager accepts a ticket any manager issued, and nobody can name a room or member id of their own.
 */
@Injectable()
export class PartyTickets {
  private readonly key: Buffer;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.key = deriveKey(config.secretKey, 'party-ticket');
  }

  sign(ticket: PartyTicket): string {
    const body = Buffer.from(JSON.stringify(ticket)).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  /** The ticket, or undefined when it is malformed, forged or expired. */
  verify(token: unknown, now = Date.now()): PartyTicket | undefined {
    if (typeof token !== 'string' || token.length > 2048) return undefined;
    const [body, mac, extra] = token.split('.');
    if (!body || !mac || extra !== undefined) return undefined;
    const expected = Buffer.from(this.mac(body));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const ticket = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as PartyTicket;
      return typeof ticket.room === 'string' && typeof ticket.member === 'string' && ticket.expiresAt > now
        ? ticket
        : undefined;
    } catch {
      return undefined;
    }
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
