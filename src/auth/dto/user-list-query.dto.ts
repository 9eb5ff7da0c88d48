import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, Matches } from 'class-validator';

/** `GET /api/users` (and `/admin/users`): optionally one site's accounts. */
export class UserListQueryDto {
  @ApiPropertyOptional({
    description: "Only this site's accounts: a tenant's slug, or \"default\" for the operator's",
  })
  @IsOptional()
  // The panel's "All sites" choice sends it empty.
  @Transform(({ value }: { value: unknown }) => (value === '' ? undefined : value))
  @Matches(/^[a-z0-9-]{1,40}$/, { message: 'tenant must be a tenant slug or "default"' })
  tenant?: string;
}
