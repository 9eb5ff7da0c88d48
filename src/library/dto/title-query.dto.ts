import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { PageQueryDto } from '../../core/validation/page-query.dto.js';
import { type TitleKind } from '../release-name/parsed-release.js';
import { TITLE_KINDS } from '../schemas/title.schema.js';
import { CATALOG_SORTS, type CatalogSort } from '../catalog/catalog-query.js';

export class TitleQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Search words; each matches the start of a word in a title' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ enum: TITLE_KINDS })
  @IsOptional()
  @IsIn(TITLE_KINDS)
  kind?: TitleKind;

  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1870)
  @Max(2200)
  year?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(60)
  genre?: string;

  @ApiPropertyOptional({ enum: CATALOG_SORTS, description: 'Without q: newest (default), name or year' })
  @IsOptional()
  @IsIn(CATALOG_SORTS)
  sort?: CatalogSort;
}

export class TitleFacetsQueryDto {
  @ApiPropertyOptional({ enum: TITLE_KINDS })
  @IsOptional()
  @IsIn(TITLE_KINDS)
  kind?: TitleKind;
}
