import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';

export class SubmitIngestDto {
  @ApiProperty({ example: 'https://media.example.com/The.Expanse.S01E01.1080p.mkv' })
  @IsString()
  @Length(1, 8192)
  url!: string;

  @ApiPropertyOptional({ example: 'The Expanse S01E01', description: 'Overrides what the file name says' })
  @IsOptional()
  @IsString()
  @Length(1, 300)
  hint?: string;
}
