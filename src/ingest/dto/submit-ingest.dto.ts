import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { IsOmittable } from '../../core/validation/is-omittable.js';

export class SubmitIngestDto {
  @ApiProperty({ example: 'https://media.example.com/The.Expanse.S01E01.1080p.mkv' })
  @IsString()
  @Length(1, 8192)
  url!: string;

  @ApiPropertyOptional({ example: 'The Expanse S01E01', description: 'Overrides what the file name says' })
  @IsOmittable()
  @IsString()
  @Length(1, 300)
  hint?: string;
}
