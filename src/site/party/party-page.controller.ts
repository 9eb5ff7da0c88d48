import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type Response } from 'express';
import { Types } from 'mongoose';
import { type IdentifiedRequest } from '../../core/identity/identity.js';
import { RateLimit } from '../../core/rate-limit/rate-limit.decorator.js';
import { TenantQuotaStatus } from '../../core/tenancy/tenant-quota-status.js';
import { PLAY_LIMIT } from '../pages/player/play-limit.js';
import { PlayerPageService } from '../pages/player/player-page.service.js';
import { SitePageRenderer } from '../pages/site-page-renderer.js';
import { PartyService, partyPath } from './party.service.js';

/**
 * `GET /party/:roomId`: the room's file in the player, with the party panel (people, chat, share link).
 * It signs a stream link as `/play` does, so it counts in the same bucket.
 */
@ApiExcludeController()
@Controller('party')
export class PartyPageController {
  constructor(
    private readonly party: PartyService,
    private readonly players: PlayerPageService,
    private readonly renderer: SitePageRenderer,
    private readonly quota: TenantQuotaStatus,
  ) {}

  @Get(':roomId')
  @RateLimit(PLAY_LIMIT)
  async page(
    @Param('roomId') roomId: string,
    @Req() req: IdentifiedRequest,
    @Res() res: Response,
  ): Promise<void> {
    const room = await this.party.require(roomId);
    await this.quota.requireStreamingLeft();
    const player = await this.players.page(new Types.ObjectId(room.fileId));
    const name = req.identity?.kind === 'user' ? req.identity.name : '';
    this.renderer.send(req, res, {
      view: 'party',
      title: `Watch party: ${player.heading}`,
      script: 'party.js',
      data: { player, party: { roomId, path: partyPath(roomId), name } },
    });
  }
}
