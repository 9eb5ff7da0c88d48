import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsString, Length, Matches, Max, Min } from 'class-validator';
import { SITE_ACCOUNT_ROLES, type UserRole } from '../../core/identity/identity.js';
import { IsOmittable } from '../../core/validation/is-omittable.js';

export class CreateUserDto {
  @ApiProperty()
  @Matches(/^[A-Za-z0-9._-]{3,64}$/, { message: 'username must be 3-64 letters, digits, ".", "_" or "-"' })
  username!: string;

  @ApiPropertyOptional({ description: 'Omit for accounts that only sign in through magic links' })
  @IsOmittable()
  @IsString()
  @Length(8, 200)
  password?: string;

  /** A tenant's admin is made with POST /api/tenants/:id/admins, never here. */
  @ApiProperty({ enum: SITE_ACCOUNT_ROLES })
  @IsIn(SITE_ACCOUNT_ROLES, { message: `role must be one of ${SITE_ACCOUNT_ROLES.join(', ')}` })
  role!: UserRole;

  @ApiPropertyOptional()
  @IsOmittable()
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  telegramId?: number;
}
