import { createRequire } from 'node:module';
import { Controller, Get, Header, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import { type Request, type Response } from 'express';
import { type Types } from 'mongoose';
import { type IdentifiedRequest } from '../../core/identity/identity.js';
import { RateLimit } from '../../core/rate-limit/rate-limit.decorator.js';
import { ParseObjectIdPipe } from '../../core/validation/object-id.pipe.js';
import { adOwnerOf } from './ad-owner.js';
import { AdEventParams, AdTrackQueryDto } from './dto/ad-requests.dto.js';
import { DownloadLinksService } from './shortener/download-links.service.js';
import { AdEventSource } from './tracking/ad-event.js';
import { AdTrackingService } from './tracking/ad-tracking.service.js';
import { HouseAdService } from './vast/house-ad.service.js';

/** The VAST parser's browser build, served from node_modules (no CDN). */
const VAST_CLIENT_JS = createRequire(import.meta.url).resolve(
  '@dailymotion/vast-client/dist/vast-client.min.js',
);

/**
 * Per viewer, and per client address too: a guest identity is a free cookie, an address is not (a
 * shared one — a household, an office — gets room for many viewers).
 */
const TRACK_LIMIT = { name: 'ad-track', limit: 300, windowSeconds: 60, perAddress: 1200 };

/** What viewers' players and download buttons reach: the house ad's VAST, tracking, downloads. */
@ApiTags('ads')
@Controller('ads')
export class AdsPublicController {
  constructor(
    private readonly houseAds: HouseAdService,
    private readonly tracking: AdTrackingService,
    private readonly downloads: DownloadLinksService,
  ) {}

  /** VAST 4.1 for the owner's house ad; an empty VAST (no ad) when there is none. */
  @Get('vast.xml')
  @Header('content-type', 'application/xml; charset=utf-8')
  @Header('cache-control', 'no-store')
  vast(@Req() req: Request): Promise<string> {
    return this.houseAds.vast(adOwnerOf(req));
  }

  /** Counts one ad event from a VAST pixel (a house ad's beacons); 204. */
  @Get('track/:event')
  @HttpCode(204)
  @Header('cache-control', 'no-store')
  @RateLimit(TRACK_LIMIT)
  pixel(
    @Req() req: Request & IdentifiedRequest,
    @Param() params: AdEventParams,
    @Query() query: AdTrackQueryDto,
  ): Promise<void> {
    return this.count(req, params, query);
  }

  /** Counts one ad event from our player's beacon; 204. */
  @Post('track/:event')
  @HttpCode(204)
  @RateLimit(TRACK_LIMIT)
  beacon(
    @Req() req: Request & IdentifiedRequest,
    @Param() params: AdEventParams,
    @Query() query: AdTrackQueryDto,
  ): Promise<void> {
    return this.count(req, params, query);
  }

  private count(
    req: Request & IdentifiedRequest,
    params: AdEventParams,
    query: AdTrackQueryDto,
  ): Promise<void> {
    return this.tracking.track(
      adOwnerOf(req),
      {
        event: params.event,
        source: query.source ?? AdEventSource.Player,
        token: query.token,
        ad: query.ad ?? 0,
        preroll: query.break !== 'mid',
      },
      req.identity,
    );
  }

  /** The download button: a redirect to the file, through the owner's link shortener when it applies. */
  @Get('download/:fileId')
  async download(
    @Req() req: Request & IdentifiedRequest,
    @Param('fileId', ParseObjectIdPipe) fileId: Types.ObjectId,
    @Res() res: Response,
  ): Promise<void> {
    const target = await this.downloads.target(adOwnerOf(req), fileId, req.identity);
    res.setHeader('cache-control', 'no-store');
    res.redirect(302, target);
  }

  @Get('vast-client.js')
  @ApiExcludeEndpoint()
  vastClient(@Res() res: Response): void {
    res.sendFile(VAST_CLIENT_JS, {
      headers: { 'content-type': 'text/javascript; charset=utf-8' },
      maxAge: '1h',
    });
  }
}
