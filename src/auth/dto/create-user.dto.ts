import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsString, Length, Matches, Min } from 'class-validator';
import { USER_ROLES, type UserRole } from '../../core/identity/identity.js';
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

  @ApiProperty({ enum: USER_ROLES })
  @IsIn(USER_ROLES)
  role!: UserRole;

  @ApiPropertyOptional()
  @IsOmittable()
  @IsInt()
  @Min(1)
  telegramId?: number;
}
