import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiProperty, ApiTags } from '../core/http/api-docs.decorators.js';
import { Matches } from 'class-validator';
import { Identified } from '../auth/access.decorators.js';
import { RateLimit } from '../core/rate-limit/rate-limit.decorator.js';
import { StreamService } from './stream.service.js';

export class SignRequestDto {
  @ApiProperty({ example: '6b06f1af3ffdf6164bddafbe' })
  @Matches(/^[0-9a-f]{24}$/i, { message: 'fileId must be a 24-character hexadecimal id' })
  fileId!: string;
}

@ApiTags('stream')
@Controller('sign')
export class SignController {
  constructor(private readonly streams: StreamService) {}

  /** A signed, expiring stream link for anyone identified (a guest cookie is enough). */
  @Post()
  @HttpCode(200)
  @Identified()
  @RateLimit({ name: 'sign', limit: 5, windowSeconds: 60 })
  async sign(@Body() dto: SignRequestDto) {
    return this.streams.sign(await this.streams.file(dto.fileId));
  }
}
