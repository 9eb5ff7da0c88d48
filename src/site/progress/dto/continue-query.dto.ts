import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { CONTINUE_LIMIT } from '../watch-state.js';

export class ContinueQueryDto {
  @ApiPropertyOptional({ default: 12, maximum: CONTINUE_LIMIT })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(CONTINUE_LIMIT)
  limit: number = 12;
}
