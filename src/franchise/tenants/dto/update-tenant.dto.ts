import { ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { TENANT_STATUSES, type TenantStatus } from '../../../core/tenancy/tenant.js';
import { CreateTenantDto } from './create-tenant.dto.js';
import { IsOmittable } from '../../../core/validation/is-omittable.js';

/**
 * A partial change: every field of a new tenant but its slug (mapped types keep their checks and make
 * them optional), plus the status. Nested objects are merged into what the tenant has (scope is
 * replaced whole).
 */
export class UpdateTenantDto extends PartialType(OmitType(CreateTenantDto, ['slug'] as const), {
  skipNullProperties: false,
}) {
  @ApiPropertyOptional({ enum: TENANT_STATUSES })
  @IsOmittable()
  @IsIn(TENANT_STATUSES)
  status?: TenantStatus;
}
