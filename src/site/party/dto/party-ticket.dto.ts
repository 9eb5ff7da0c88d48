import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { NAME_MAX_CHARS } from '../party-rules.js';

export class PartyTicketDto {
  @ApiPropertyOptional({
    description: 'Display name in the room (an account’s own name, or "Guest …", if empty)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(NAME_MAX_CHARS)
  name?: string;
}
