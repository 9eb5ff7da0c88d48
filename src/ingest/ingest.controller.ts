import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentIdentity, Roles } from '../auth/access.decorators.js';
import { type Identity } from '../core/identity/identity.js';
import { SubmitIngestDto } from './dto/submit-ingest.dto.js';
import { IngestService } from './ingest.service.js';

@ApiTags('ingest')
@Controller('api/ingest')
@Roles('admin', 'uploader')
export class IngestController {
  constructor(private readonly ingest: IngestService) {}

  @Post()
  @HttpCode(202)
  submit(@Body() dto: SubmitIngestDto, @CurrentIdentity() identity: Identity) {
    return this.ingest.submit({ url: dto.url, hint: dto.hint, requester: identity });
  }

  @Get()
  list() {
    return this.ingest.list();
  }

  @Get(':taskId')
  get(@Param('taskId') taskId: string) {
    return this.ingest.get(taskId);
  }

  @Delete(':taskId')
  cancel(@Param('taskId') taskId: string, @CurrentIdentity() identity: Identity) {
    return this.ingest.cancel(taskId, identity);
  }

  @Post(':taskId/retry')
  @HttpCode(202)
  retry(@Param('taskId') taskId: string, @CurrentIdentity() identity: Identity) {
    return this.ingest.retry(taskId, identity);
  }
}
