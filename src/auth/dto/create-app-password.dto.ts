import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';
import { VISIBLE_TEXT } from '../../core/validation/visible-text.js';

export class CreateAppPasswordDto {
  @ApiProperty({ example: 'KOReader on my e-reader', maxLength: 60 })
  @IsString()
  @Length(1, 60)
  @Matches(VISIBLE_TEXT, {
    message: 'label must be text (no control characters) with something visible in it',
  })
  label!: string;
}
