import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsIn,
  IsOptional,
  IsString,
  Length,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { TENANT_STATUSES, type TenantStatus } from '../../../core/tenancy/tenant.js';
import { BrandingDto, FeaturesDto, PlanDto, QuotasDto, ScopeDto } from './tenant-settings.dto.js';

/** A partial change; nested objects are merged into what the tenant has (scope is replaced whole). */
export class UpdateTenantDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 120)
  name?: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(253, { each: true })
  domains?: string[];

  @ApiPropertyOptional({ enum: TENANT_STATUSES })
  @IsOptional()
  @IsIn(TENANT_STATUSES)
  status?: TenantStatus;

  @ApiPropertyOptional({ type: ScopeDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ScopeDto)
  scope?: ScopeDto;

  @ApiPropertyOptional({ type: FeaturesDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => FeaturesDto)
  features?: FeaturesDto;

  @ApiPropertyOptional({ type: QuotasDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => QuotasDto)
  quotas?: QuotasDto;

  @ApiPropertyOptional({ type: PlanDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => PlanDto)
  plan?: PlanDto;

  @ApiPropertyOptional({ type: BrandingDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => BrandingDto)
  branding?: BrandingDto;
}
