import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsInt,
  IsObject,
  IsString,
  IsUrl,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsOmittable } from '../../core/validation/is-omittable.js';

export class ExternalIdsDto {
  @ApiPropertyOptional()
  @IsOmittable()
  @IsInt()
  @Min(1)
  tmdb?: number;

  @ApiPropertyOptional()
  @IsOmittable()
  @IsInt()
  @Min(1)
  mal?: number;

  @ApiPropertyOptional({ example: 'tt0133093' })
  @IsOmittable()
  @Matches(/^tt\d{5,10}$/, { message: 'imdb must look like tt0133093' })
  imdb?: string;
}

/** An admin's edit; every given field becomes locked against metadata enrichment. */
export class UpdateTitleDto {
  @ApiPropertyOptional()
  @IsOmittable()
  @IsString()
  @Length(1, 300)
  @Matches(/\S/, { message: 'name must not be blank' })
  name?: string;

  @ApiPropertyOptional()
  @IsOmittable()
  @IsString()
  @Length(1, 300)
  originalName?: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOmittable()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Length(1, 300, { each: true })
  aliases?: string[];

  @ApiPropertyOptional()
  @IsOmittable()
  @IsInt()
  @Min(1870)
  @Max(2200)
  year?: number;

  @ApiPropertyOptional()
  @IsOmittable()
  @IsString()
  @MaxLength(5000)
  overview?: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOmittable()
  @ArrayMaxSize(30)
  @IsString({ each: true })
  @Length(1, 60, { each: true })
  genres?: string[];

  @ApiPropertyOptional()
  @IsOmittable()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true })
  poster?: string;

  @ApiPropertyOptional()
  @IsOmittable()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true })
  backdrop?: string;

  @ApiPropertyOptional({ type: ExternalIdsDto })
  @IsOmittable()
  @IsObject()
  @ValidateNested()
  @Type(() => ExternalIdsDto)
  externalIds?: ExternalIdsDto;
}
