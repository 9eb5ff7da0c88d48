import { Body, Controller, Get, Param, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type Types } from 'mongoose';
import { CurrentIdentity, Identified } from '../../auth/access.decorators.js';
import { type Identity } from '../../core/identity/identity.js';
import { RateLimit } from '../../core/rate-limit/rate-limit.decorator.js';
import { ParseObjectIdPipe } from '../../core/validation/object-id.pipe.js';
import { ContinueQueryDto } from './dto/continue-query.dto.js';
import { SaveProgressDto } from './dto/save-progress.dto.js';
import { ProgressService } from './progress.service.js';

/** Resume positions and watched state of the caller (a guest cookie or an account). */
@ApiTags('progress')
@Controller('api/progress')
@Identified()
export class ProgressController {
  constructor(private readonly progress: ProgressService) {}

  @Get('continue')
  continueWatching(@CurrentIdentity() identity: Identity, @Query() query: ContinueQueryDto) {
    return this.progress.continueWatching(identity, query.limit);
  }

  @Get('title/:titleId')
  forTitle(
    @CurrentIdentity() identity: Identity,
    @Param('titleId', ParseObjectIdPipe) titleId: Types.ObjectId,
  ) {
    return this.progress.forTitle(identity, titleId);
  }

  @Get(':fileId')
  get(@CurrentIdentity() identity: Identity, @Param('fileId', ParseObjectIdPipe) fileId: Types.ObjectId) {
    return this.progress.get(identity, fileId);
  }

  /** The player saves every ~10 s and on pause/leave; the limit leaves room for seeking bursts. */
  @Put(':fileId')
  @RateLimit({ name: 'progress', limit: 60, windowSeconds: 60 })
  save(
    @CurrentIdentity() identity: Identity,
    @Param('fileId', ParseObjectIdPipe) fileId: Types.ObjectId,
    @Body() dto: SaveProgressDto,
  ) {
    return this.progress.save(identity, fileId, dto);
  }
}
