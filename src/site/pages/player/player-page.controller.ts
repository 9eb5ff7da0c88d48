import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type Response } from 'express';
import { type IdentifiedRequest } from '../../../core/identity/identity.js';
import { RateLimit } from '../../../core/rate-limit/rate-limit.decorator.js';
import { TenantQuotaStatus } from '../../../core/tenancy/tenant-quota-status.js';
import { SitePageRenderer } from '../site-page-renderer.js';
import { pageObjectId } from '../title/title-page.service.js';
import { PLAY_LIMIT } from './play-limit.js';
import { PlayerPageService } from './player-page.service.js';

/**
 * `GET /play/:fileId`: the player (resume, tracks, next episode). Anyone may open it: it signs a fresh
 * stream link, which is also how an expired `/watch` link is renewed — hence its rate limit (a 429
 * page for a browser, `{error, message}` for anyone else, both with `Retry-After`).
 */
@ApiExcludeController()
@Controller('play')
export class PlayerPageController {
  constructor(
    private readonly players: PlayerPageService,
    private readonly renderer: SitePageRenderer,
    private readonly quota: TenantQuotaStatus,
  ) {}

  @Get(':fileId')
  @RateLimit(PLAY_LIMIT)
  async play(
    @Param('fileId') fileId: string,
    @Req() req: IdentifiedRequest,
    @Res() res: Response,
  ): Promise<void> {
    await this.quota.requireStreamingLeft();
    const player = await this.players.page(pageObjectId(fileId, 'video'));
    this.renderer.send(req, res, {
      view: 'player',
      title: player.episodeLabel ? `${player.heading} ${player.episodeLabel}` : player.heading,
      script: 'player.js',
      forms: Boolean(player.comments),
      data: { player },
    });
  }
}
