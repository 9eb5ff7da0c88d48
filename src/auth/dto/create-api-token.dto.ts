import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class CreateApiTokenDto {
  @ApiProperty({ example: 'backup script' })
  @IsString()
  @Length(1, 100)
  name!: string;
}
