import { Body, Controller, Get, Param, Put, Query, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type Request } from 'express';
import { type Types } from 'mongoose';
import { CurrentIdentity, Roles } from '../../auth/access.decorators.js';
import { type Identity } from '../../core/identity/identity.js';
import { ParseObjectIdPipe } from '../../core/validation/object-id.pipe.js';
import { adOwnerOf } from './ad-owner.js';
import { AdsAdminService } from './ads-admin.service.js';
import { AdFreeDto, AdStatsQueryDto } from './dto/ad-requests.dto.js';
import { AdsSettings } from './dto/ads-settings.dto.js';
import { utcDay } from './tracking/ad-event.js';
import { AdStatsService, daysBefore } from './tracking/ad-stats.service.js';

const DEFAULT_STATS_DAYS = 30;

/** The owner's ad settings, ad-free accounts and statistics, for its admins and their scripts. */
@ApiTags('ads')
@Controller('api/ads')
@Roles('admin', 'tenant-admin')
export class AdsApiController {
  constructor(
    private readonly ads: AdsAdminService,
    private readonly stats: AdStatsService,
  ) {}

  @Get('settings')
  settings(@Req() req: Request) {
    return this.ads.settingsOf(adOwnerOf(req));
  }

  /** Replaces the settings whole. */
  @Put('settings')
  save(@Req() req: Request, @Body() dto: AdsSettings, @CurrentIdentity() identity: Identity) {
    return this.ads.saveSettings(adOwnerOf(req), dto, identity.name);
  }

  /** Counts per UTC day (`impression`, `start`, quartiles, `complete`, `skip`, `click`, `error`; `house:*` from the house ad's beacons). */
  @Get('stats')
  statistics(@Req() req: Request, @Query() query: AdStatsQueryDto) {
    const to = query.to ?? utcDay(new Date());
    // daysBefore refuses a `to` such as 2026-13-01 with a 400 (computing from it would throw a RangeError).
    const from = query.from ?? daysBefore(to, DEFAULT_STATS_DAYS - 1);
    return this.stats.stats(adOwnerOf(req), from, to);
  }

  @Get('accounts')
  accounts(@Req() req: Request) {
    return this.ads.accounts(adOwnerOf(req));
  }

  @Put('accounts/:userId/ad-free')
  setAdFree(
    @Req() req: Request,
    @Param('userId', ParseObjectIdPipe) userId: Types.ObjectId,
    @Body() dto: AdFreeDto,
    @CurrentIdentity() identity: Identity,
  ) {
    return this.ads.setAdFree(adOwnerOf(req), String(userId), dto.adFree, identity.name);
  }
}
