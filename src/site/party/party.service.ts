import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { type Types } from 'mongoose';
import { APP_CONFIG, type AppConfig } from '../../core/config/app-config.js';
import { AppError } from '../../core/errors/app-error.js';
import { type Identity } from '../../core/identity/identity.js';
import { TenantQuotaStatus } from '../../core/tenancy/tenant-quota-status.js';
import { LibraryService } from '../../library/library.service.js';
import { PartyRoomRepository, type PartyRoom } from './party-room.repository.js';
import { displayName } from './party-rules.js';
import { PartyTickets, TICKET_TTL_MS } from './party-tickets.js';

/** Room ids are 128 random bits: the share link is the only way in. */
const ROOM_ID = /^[A-Za-z0-9_-]{22}$/;

export function partyPath(roomId: string): string {
  return `/party/${roomId}`;
}

/** Rooms as the HTTP side sees them: start one for a file, and hand out join tickets. */
@Injectable()
export class PartyService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly rooms: PartyRoomRepository,
    private readonly tickets: PartyTickets,
    private readonly library: LibraryService,
    private readonly quota: TenantQuotaStatus,
  ) {}

  async start(fileId: Types.ObjectId): Promise<{ roomId: string; path: string }> {
    const file = await this.library.requireFile(fileId);
    await this.quota.requireStreamingLeft();
    if (!/^(video|audio)\//.test(file.mime)) {
      throw new AppError(400, 'not_playable', 'Only a video (or audio) file can be watched together.');
    }
    const roomId = randomBytes(16).toString('base64url');
    await this.rooms.create(roomId, String(fileId), Date.now());
    return { roomId, path: partyPath(roomId) };
  }

  /** The room, or 404 (unknown, malformed or expired id: all look the same from outside). */
  async require(roomId: string): Promise<PartyRoom> {
    const room = ROOM_ID.test(roomId) ? await this.rooms.find(roomId) : undefined;
    if (!room) {
      throw new AppError(
        404,
        'party_not_found',
        'There is no watch party at this address (it may have ended).',
      );
    }
    return room;
  }

  /** A ticket to open the room's socket as a new participant named `name` (a user's own name by default). */
  async ticket(roomId: string, name: string | undefined, identity: Identity | undefined) {
    const room = await this.require(roomId);
    if (room.members.length >= this.config.site.party.maxMembers) {
      throw new AppError(
        409,
        'party_full',
        `This watch party is full (${this.config.site.party.maxMembers} people).`,
      );
    }
    const member = randomBytes(9).toString('base64url');
    const fallback = identity?.kind === 'user' ? identity.name : `Guest ${member.slice(0, 4)}`;
    const expiresAt = Date.now() + TICKET_TTL_MS;
    const ticket = this.tickets.sign({ room: roomId, member, name: displayName(name, fallback), expiresAt });
    return { ticket, memberId: member, socket: '/party/ws', expiresAt };
  }
}
