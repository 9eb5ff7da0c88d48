import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentIdentity, Identified } from '../../auth/access.decorators.js';
import { type Identity } from '../../core/identity/identity.js';
import { RateLimit } from '../../core/rate-limit/rate-limit.decorator.js';
import { SaveReadingDto } from './dto/save-reading.dto.js';
import { ReadingService } from './reading.service.js';

/** The caller's page in a chapter (a guest cookie or an account); the reader saves on every turn. */
@ApiTags('readvault')
@Controller('api/readvault/chapters/:id/progress')
@Identified()
export class ReadingProgressController {
  constructor(private readonly reading: ReadingService) {}

  @Get()
  get(@CurrentIdentity() identity: Identity, @Param('id') id: string) {
    return this.reading.get(identity, id);
  }

  /** Saved a moment after each page turn (the reader coalesces fast turns): room for quick readers. */
  @Put()
  @RateLimit({ name: 'reading-progress', limit: 120, windowSeconds: 60 })
  save(@CurrentIdentity() identity: Identity, @Param('id') id: string, @Body() dto: SaveReadingDto) {
    return this.reading.save(identity, id, dto.page);
  }
}
