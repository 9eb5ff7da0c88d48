import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

export class ExternalIdsDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(1)
  tmdb?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(1)
  mal?: number;

  @ApiPropertyOptional({ example: 'tt0133093' })
  @IsOptional()
  @Matches(/^tt\d{5,10}$/, { message: 'imdb must look like tt0133093' })
  imdb?: string;
}

/** An admin's edit; every given field becomes locked against metadata enrichment. */
export class UpdateTitleDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 300)
  @Matches(/\S/, { message: 'name must not be blank' })
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 300)
  originalName?: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Length(1, 300, { each: true })
  aliases?: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(1870)
  @Max(2200)
  year?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  overview?: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @ArrayMaxSize(30)
  @IsString({ each: true })
  @Length(1, 60, { each: true })
  genres?: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true })
  poster?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true })
  backdrop?: string;

  @ApiPropertyOptional({ type: ExternalIdsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ExternalIdsDto)
  externalIds?: ExternalIdsDto;
}
