import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';

export class CreateAppPasswordDto {
  @ApiProperty({ example: 'KOReader on my e-reader', maxLength: 60 })
  @IsString()
  @Length(1, 60)
  @Matches(/\S/, { message: 'label must not be blank' })
  label!: string;
}
