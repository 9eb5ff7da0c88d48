import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';
import { VISIBLE_TEXT } from '../../core/validation/visible-text.js';

export class CreateApiTokenDto {
  @ApiProperty({ example: 'backup script' })
  @IsString()
  @Length(1, 100)
  @Matches(VISIBLE_TEXT, {
    message: 'name must be text (no control characters) with something visible in it',
  })
  name!: string;
}
