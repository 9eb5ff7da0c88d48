import { Body, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Types } from 'mongoose';
import { Identified } from '../../auth/access.decorators.js';
import { type IdentifiedRequest } from '../../core/identity/identity.js';
import { RateLimit } from '../../core/rate-limit/rate-limit.decorator.js';
import { PartyTicketDto } from './dto/party-ticket.dto.js';
import { StartPartyDto } from './dto/start-party.dto.js';
import { PartyService } from './party.service.js';

/** Watch parties: start a room for a file; a join ticket for the room's socket (`/party/ws`). */
@ApiTags('party')
@Controller('api/party')
export class PartyController {
  constructor(private readonly party: PartyService) {}

  @Post()
  @Identified()
  @RateLimit({ name: 'party-start', limit: 20, windowSeconds: 60 })
  start(@Body() dto: StartPartyDto) {
    return this.party.start(new Types.ObjectId(dto.fileId));
  }

  /** Anyone with the link may join (guests too): the unguessable room id is the invitation. */
  @Post(':roomId/tickets')
  @HttpCode(200)
  @RateLimit({ name: 'party-ticket', limit: 30, windowSeconds: 60 })
  ticket(@Param('roomId') roomId: string, @Body() dto: PartyTicketDto, @Req() req: IdentifiedRequest) {
    return this.party.ticket(roomId, dto.name, req.identity);
  }
}
