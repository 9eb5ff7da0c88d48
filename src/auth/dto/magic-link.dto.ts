import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsString, Length, Min } from 'class-validator';
import { IsOmittable } from '../../core/validation/is-omittable.js';

/** Exactly one of `username` or `telegramId` (checked by the service). */
export class MagicLinkDto {
  @ApiPropertyOptional()
  @IsOmittable()
  @IsString()
  @Length(1, 64)
  username?: string;

  @ApiPropertyOptional()
  @IsOmittable()
  @IsInt()
  @Min(1)
  telegramId?: number;
}
