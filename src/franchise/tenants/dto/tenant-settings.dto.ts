import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { TITLE_KINDS, type ScopeKind } from '../../../core/tenancy/tenant.js';
import { IsOmittable } from '../../../core/validation/is-omittable.js';

/**
 * Images the page shows under the site's CSP (`img-src 'self' data:`): a path on the site itself, or a
 * small inline PNG / JPEG / WebP / SVG data URI.
 */
const IMAGE_SOURCE =
  /^(\/(?![/\\])[A-Za-z0-9._~!$&'()*+,;=:@%/-]{0,500}|data:image\/(png|jpeg|webp|svg\+xml);base64,[A-Za-z0-9+/=]{1,90000})$/;
const IMAGE_MESSAGE =
  'must be a path on this site (/...) or a base64 data:image/png|jpeg|webp|svg+xml URI up to 64 KiB';
const COLOR = /^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;

/** Each field: null takes it away (back to the default); absent leaves it as it is. */
export class BrandColorsDto {
  @ApiPropertyOptional({ example: '#e50914' })
  @IsOptional()
  @Matches(COLOR, { message: 'primary must be a #rgb or #rrggbb color' })
  primary?: string | null;

  @ApiPropertyOptional({ example: '#0b0d10' })
  @IsOptional()
  @Matches(COLOR, { message: 'background must be a #rgb or #rrggbb color' })
  background?: string | null;

  @ApiPropertyOptional({ example: '#f5f5f5' })
  @IsOptional()
  @Matches(COLOR, { message: 'text must be a #rgb or #rrggbb color' })
  text?: string | null;
}

/** Each field but `colors`: null takes it away (back to the default); absent leaves it as it is. */
export class BrandingDto {
  @ApiPropertyOptional({ description: 'null: back to the default' })
  @IsOptional()
  @IsString()
  @Length(1, 80)
  siteName?: string | null;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(IMAGE_SOURCE, { message: `logo ${IMAGE_MESSAGE}` })
  logo?: string | null;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(IMAGE_SOURCE, { message: `favicon ${IMAGE_MESSAGE}` })
  favicon?: string | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(300)
  footer?: string | null;

  @ApiPropertyOptional({ type: BrandColorsDto })
  @IsOmittable()
  @ValidateNested()
  @Type(() => BrandColorsDto)
  colors?: BrandColorsDto;
}

export class ScopeDto {
  @ApiPropertyOptional({ enum: ['all', 'filtered'] })
  @IsIn(['all', 'filtered'])
  mode!: 'all' | 'filtered';

  @ApiPropertyOptional({ enum: TITLE_KINDS, isArray: true })
  @IsOmittable()
  @IsArray({ message: 'kinds must be a list' })
  @ArrayMaxSize(TITLE_KINDS.length)
  @IsIn(TITLE_KINDS, { each: true })
  kinds?: ScopeKind[];

  @ApiPropertyOptional({ type: [String] })
  @IsOmittable()
  @IsArray({ message: 'genres must be a list' })
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Length(1, 64, { each: true })
  @Matches(/\S/, { each: true, message: 'genres must not be blank' })
  genres?: string[];

  @ApiPropertyOptional({ type: [String], description: 'Title ids picked by hand' })
  @IsOmittable()
  @IsArray({ message: 'collections must be a list' })
  @ArrayMaxSize(5000)
  @Matches(/^[0-9a-f]{24}$/, { each: true, message: 'collections must be title ids (24 hex characters)' })
  collections?: string[];
}

export class FeaturesDto {
  @IsOmittable() @IsBoolean() video?: boolean;
  @IsOmittable() @IsBoolean() manga?: boolean;
  @IsOmittable() @IsBoolean() music?: boolean;
  @IsOmittable() @IsBoolean() comments?: boolean;
  @IsOmittable() @IsBoolean() download?: boolean;
}

/** Limits; `null` removes one (no limit). */
export class QuotasDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100000)
  concurrentStreams?: number | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  gibPerMonth?: number | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  commentsPerDay?: number | null;
}

export class PlanDto {
  @ApiPropertyOptional()
  @IsString()
  @Length(1, 40)
  name!: string;

  @ApiPropertyOptional({ description: 'Monthly price in cents, for the usage report' })
  @IsOmittable()
  @IsInt()
  @Min(0)
  // A safe integer, so the invoicing CSV prints digits and not 1e+300.
  @Max(Number.MAX_SAFE_INTEGER)
  priceCents?: number;
}
