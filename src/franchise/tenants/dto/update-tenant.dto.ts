import { ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { TENANT_STATUSES, type TenantStatus } from '../../../core/tenancy/tenant.js';
import { CreateTenantDto } from './create-tenant.dto.js';

/**
 * A partial change: every field of a new tenant but its slug (mapped types keep their checks and make
 * them optional), plus the status. Nested objects are merged into what the tenant has (scope is
 * replaced whole).
 */
export class UpdateTenantDto extends PartialType(OmitType(CreateTenantDto, ['slug'] as const)) {
  @ApiPropertyOptional({ enum: TENANT_STATUSES })
  @IsOptional()
  @IsIn(TENANT_STATUSES)
  status?: TenantStatus;
}
