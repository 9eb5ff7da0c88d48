import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { BrandingDto, FeaturesDto, PlanDto, QuotasDto, ScopeDto } from './tenant-settings.dto.js';
import { IsOmittable } from '../../../core/validation/is-omittable.js';

export class CreateTenantDto {
  @ApiProperty({ example: 'client-site' })
  @Matches(/^(?!default$)[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/, {
    message: 'slug must be 1-40 lower-case letters, digits or "-" (not "default")',
  })
  slug!: string;

  @ApiProperty()
  @IsString()
  @Length(1, 120)
  name!: string;

  @ApiProperty({ type: [String], example: ['client-site.com'] })
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(253, { each: true })
  domains!: string[];

  @ApiPropertyOptional({ type: ScopeDto })
  @IsOmittable()
  @ValidateNested()
  @Type(() => ScopeDto)
  scope?: ScopeDto;

  @ApiPropertyOptional({ type: FeaturesDto })
  @IsOmittable()
  @ValidateNested()
  @Type(() => FeaturesDto)
  features?: FeaturesDto;

  @ApiPropertyOptional({ type: QuotasDto })
  @IsOmittable()
  @ValidateNested()
  @Type(() => QuotasDto)
  quotas?: QuotasDto;

  @ApiPropertyOptional({ type: PlanDto })
  @IsOmittable()
  @ValidateNested()
  @Type(() => PlanDto)
  plan?: PlanDto;

  @ApiPropertyOptional({ type: BrandingDto })
  @IsOmittable()
  @ValidateNested()
  @Type(() => BrandingDto)
  branding?: BrandingDto;
}
