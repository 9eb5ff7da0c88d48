import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { NAME_MAX_CHARS } from '../party-rules.js';
import { IsOmittable } from '../../../core/validation/is-omittable.js';

export class PartyTicketDto {
  @ApiPropertyOptional({
    description: 'Display name in the room (an account’s own name, or "Guest …", if empty)',
  })
  @IsOmittable()
  @IsString()
  @MaxLength(NAME_MAX_CHARS)
  name?: string;
}
